/* Form widgets of core/widgets.py and the action forms. Everything here is an enhancement: without script the
   capability box takes text ("排涝:500、水上救援"), every action field shows and nothing asks to confirm. */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }

  /* --- capabilities: rows of (capability, quantity, unit, remove) writing back "code:qty;code" ---------- */
  function parseText(text, byName) {
    var out = [];
    text.replace(/[；;，,]/g, "、").split("、").forEach(function (part) {
      part = part.trim();
      if (!part) return;
      var bits = part.replace("：", ":").split(":");
      var label = bits[0].trim();
      out.push({ code: byName[label] || label, qty: (bits[1] || "").trim() });
    });
    return out;
  }

  function capsPicker(box) {
    var input = box.querySelector("input[type=text]");
    var options = JSON.parse(box.getAttribute("data-options"));
    var byName = {}, byCode = {};
    options.forEach(function (o) { byName[o.name] = o.code; byCode[o.code] = o; });
    var label = document.querySelector("label[for='" + input.id + "']");
    var rows = el("div", { "class": "yj-caps-rows", role: "group", "data-testid": "caps-rows" });
    if (label) { label.id = label.id || input.id + "_label"; rows.setAttribute("aria-labelledby", label.id); }
    var add = el("button", { type: "button", "class": "btn btn-outline-primary btn-sm mt-1", "data-testid": "caps-add" },
                 box.getAttribute("data-label-add"));
    var n = 0;

    function sync() {
      var parts = [];
      rows.querySelectorAll(".yj-caps-row").forEach(function (row) {
        var code = row.querySelector("select").value;
        var qty = row.querySelector("input").value.trim();
        if (code) parts.push(qty ? code + ":" + qty : code);
      });
      input.value = parts.join(";");
    }

    function addRow(code, qty) {
      n += 1;
      var row = el("div", { "class": "input-group input-group-sm mb-1 yj-caps-row" });
      var select = el("select", { "class": "form-select", "aria-label": box.getAttribute("data-label-cap") + " " + n });
      select.appendChild(el("option", { value: "" }, box.getAttribute("data-label-none")));
      options.forEach(function (o) {
        var opt = el("option", { value: o.code }, o.name);
        if (o.code === code) opt.selected = true;
        select.appendChild(opt);
      });
      if (code && !byCode[code]) {  /* an unknown name typed before: keep it so the error can name it */
        var keep = el("option", { value: code }, code);
        keep.selected = true;
        select.appendChild(keep);
      }
      var qtyInput = el("input", { type: "text", inputmode: "decimal", "class": "form-control",
                                   "aria-label": box.getAttribute("data-label-qty") + " " + n });
      qtyInput.value = qty || "";
      var unit = el("span", { "class": "input-group-text", "aria-hidden": "true" }, (byCode[code] || {}).unit || "—");
      var remove = el("button", { type: "button", "class": "btn btn-outline-danger",
                                  "aria-label": box.getAttribute("data-label-remove") + " " + n }, "×");
      select.addEventListener("change", function () { unit.textContent = (byCode[select.value] || {}).unit || "—"; sync(); });
      qtyInput.addEventListener("input", sync);
      remove.addEventListener("click", function () { row.remove(); sync(); add.focus(); });
      row.append(select, qtyInput, unit, remove);
      rows.appendChild(row);
      return select;
    }

    parseText(input.value, byName).forEach(function (c) { addRow(c.code, c.qty); });
    add.addEventListener("click", function () { addRow("", "").focus(); });
    input.type = "hidden";
    input.removeAttribute("list");
    if (label) label.removeAttribute("for");
    var help = box.querySelector(".form-text");
    if (help) help.hidden = true;
    box.insertBefore(rows, input);
    box.insertBefore(add, input);
    if (input.getAttribute("aria-invalid") === "true") rows.setAttribute("aria-describedby", input.getAttribute("aria-describedby"));
  }

  /* --- action forms: only the fields of the chosen operation; confirm what cannot be undone -------------- */
  function opForm(form) {
    var op = form.querySelector("select[name=op]");
    if (!op) return;
    function show() {
      form.querySelectorAll("[data-ops]").forEach(function (wrap) {
        var on = wrap.getAttribute("data-ops").split(" ").indexOf(op.value) >= 0;
        wrap.hidden = !on;
        wrap.querySelectorAll("input, select, textarea").forEach(function (i) { i.disabled = !on; });
      });
    }
    op.addEventListener("change", show);
    show();
    var confirmOps = (form.getAttribute("data-confirm-ops") || "").split(" ");
    form.addEventListener("submit", function (ev) {
      if (confirmOps.indexOf(op.value) < 0) return;
      var parts = [op.options[op.selectedIndex].text];
      form.querySelectorAll("[data-ops]:not([hidden]) input, [data-ops]:not([hidden]) select").forEach(function (i) {
        var l = form.querySelector("label[for='" + i.id + "']");
        if (i.value) parts.push((l ? l.textContent : i.name) + " " + i.value);
      });
      if (!window.confirm(form.getAttribute("data-confirm-text") + parts.join("，"))) ev.preventDefault();
    });
  }

  document.querySelectorAll("[data-caps-picker]").forEach(capsPicker);
  document.querySelectorAll("form[data-testid=action-form]").forEach(opForm);
})();
