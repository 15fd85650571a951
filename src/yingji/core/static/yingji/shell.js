/* Yingji shell behaviour: the theme toggle, and table cells labelled for the stacked phone layout. */
(function () {
  var root = document.documentElement;

  function syncToggles() {
    var dark = root.getAttribute("data-bs-theme") === "dark";
    document.querySelectorAll("[data-theme-toggle]").forEach(function (b) { b.setAttribute("aria-pressed", String(dark)); });
  }
  document.querySelectorAll("[data-theme-toggle]").forEach(function (button) {
    button.addEventListener("click", function () {
      var next = root.getAttribute("data-bs-theme") === "dark" ? "light" : "dark";
      root.setAttribute("data-bs-theme", next);
      try { localStorage.setItem("yingji-theme", next); } catch (e) { /* not remembered, still applied */ }
      syncToggles();
      document.dispatchEvent(new CustomEvent("yingji:theme", { detail: next }));
    });
  });
  syncToggles();

  /* Tables with class "grid" or "table-stack" become one card per row on phones (app.css); each cell
     shows its column header, taken from the table's <thead>. Cells that set data-label keep theirs. */
  document.querySelectorAll("table.grid, table.table-stack").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      Array.prototype.forEach.call(tr.children, function (td, i) {
        if (!td.hasAttribute("data-label") && heads[i] && !td.hasAttribute("colspan")) td.setAttribute("data-label", heads[i]);
      });
    });
    table.classList.add("stack-ready");
  });
})();
