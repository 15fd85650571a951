// 最近资源: the duty officer's question on the map. Click a point (or pick a town, or use the map's centre),
// choose a capability → the nearest teams, equipment and experts, available first, by road travel time
// (GET <nearest>?lng=&lat=&capability=, WGS-84). A side panel on desktop, a bottom sheet on phones; each row
// highlights its resource on the map.
(function () {
  "use strict";
  const api = window.yingjiMapApi;
  const cfg = api && api.config.nearest;
  const panel = document.getElementById("nearest-panel");
  if (!cfg || !panel) return;
  const map = api.map, T = api.text, node = api.node;
  const toggleBtn = document.getElementById("nearest-toggle");
  const capSel = document.getElementById("nearest-capability");
  const unitSel = document.getElementById("nearest-unit");
  const pointText = document.getElementById("nearest-point");
  const status = document.getElementById("nearest-status");
  const list = document.getElementById("nearest-results");
  const typeLabel = {};
  api.defs.forEach((d) => { typeLabel[d.kind] = d.label; });
  map.createPane("yj-results").style.zIndex = 640; // above every layer, below tooltips and popups
  const marks = L.layerGroup().addTo(map);
  const units = {}; // capability code → its quantity unit (m³/h)
  let point = null, loaded = false, seq = 0, markers = [], line = null;

  const get = (url) => fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((r) => r.json().then((body) => { if (!r.ok) throw body; return body; }));

  function fillSelects() {
    if (loaded) return;
    loaded = true;
    get(cfg.capabilities + "?limit=500&ordering=code").then((page) => {
      page.items.forEach((c) => {
        const o = capSel.appendChild(node("option", null, c.name + (c.quantity_unit ? " (" + c.quantity_unit + ")" : "")));
        o.value = c.code;
        units[c.code] = c.quantity_unit || "";
      });
    });
    get(api.config.units + "?kind=town&limit=500&ordering=name").then((page) => {
      page.items.filter((u) => u.lng !== null && u.lat !== null).forEach((u) => {
        const o = unitSel.appendChild(node("option", null, u.name));
        o.value = u.lng + "," + u.lat;
      });
    });
  }

  function open(ll) {
    map.closePopup();
    panel.hidden = false;
    document.body.classList.add("yj-nearest-open");
    toggleBtn.setAttribute("aria-expanded", "true");
    fillSelects();
    if (ll) setPoint(ll); else if (!point) status.textContent = T.pick;
    (ll ? list : capSel).focus({ preventScroll: true });
  }
  function close() {
    panel.hidden = true;
    document.body.classList.remove("yj-nearest-open");
    toggleBtn.setAttribute("aria-expanded", "false");
    marks.clearLayers();
    toggleBtn.focus();
  }
  api.openNearest = (ll) => open(ll);
  // While the panel is open a click on the map is the point: one click answers the question.
  api.pointHandler = (ll) => { if (panel.hidden) return false; unitSel.value = ""; setPoint(ll); return true; };

  function setPoint(ll) {
    point = ll;
    pointText.replaceChildren(node("span", "text-body-secondary", T.point + " "), node("code", null, api.lngLatText(ll)));
    pointText.appendChild(document.createTextNode(" "));
    pointText.appendChild(api.copyButton(api.lngLatText(ll)));
    query();
  }

  function minutes(item) {
    if (item.travel_time_s === null) return T.unreachable;
    return api.fmt(T.minutes, { n: Math.max(1, Math.round(item.travel_time_s / 60)) });
  }
  const badge = { available: "text-bg-success", committed: "text-bg-warning", unavailable: "text-bg-secondary" };

  function query() {
    if (!point) return;
    const mine = ++seq;
    status.textContent = T.loading;
    list.setAttribute("aria-busy", "true");
    const params = new URLSearchParams({ lng: point[0].toFixed(6), lat: point[1].toFixed(6), types: cfg.types.join(",") });
    if (capSel.value) params.set("capability", capSel.value);
    get(cfg.url + "?" + params).then((body) => { if (mine === seq) show(body); }, (err) => {
      if (mine !== seq) return;
      list.replaceChildren();
      status.textContent = T.failed + (err && err.error && err.error.message ? "：" + err.error.message : "");
    }).finally(() => list.removeAttribute("aria-busy"));
  }

  function show(body) {
    marks.clearLayers();
    markers = [];
    line = null;
    list.replaceChildren();
    const at = api.crs.latLng(point[0], point[1]);
    L.marker(at, { pane: "yj-results", keyboard: false, title: T.query_point,
                   icon: L.divIcon({ className: "yj-marker yj-point", html: '<span aria-hidden="true"></span>', iconSize: [18, 18] }) })
      .addTo(marks);
    status.textContent = body.items.length ? api.fmt(T.found, { n: body.items.length }) + (body.estimated ? T.found_estimated : "") : T.none;
    body.items.forEach((item, i) => {
      const li = list.appendChild(node("li", "list-group-item d-flex gap-2"));
      li.dataset.index = i;
      li.dataset.testid = "nearest-item";
      const main = li.appendChild(node("div", "flex-grow-1 min-w-0"));
      const head = main.appendChild(node("div", "d-flex flex-wrap align-items-center gap-1"));
      const a = head.appendChild(node("a", "fw-semibold", item.name));
      a.href = item.url;
      head.appendChild(node("span", "badge " + (badge[item.availability] || "text-bg-secondary"), item.availability_label));
      main.appendChild(node("div", "small text-body-secondary", (typeLabel[item.resource_type] || item.resource_type) + " · " + item.unit));
      const facts = main.appendChild(node("div", "small d-flex flex-wrap gap-2"));
      const time = facts.appendChild(node("strong", "yj-time", minutes(item)));
      time.dataset.seconds = item.travel_time_s === null ? "" : item.travel_time_s;
      if (item.estimated) {
        const est = time.appendChild(node("abbr", "ms-1 badge text-bg-light border", T.estimated));
        est.title = T.estimated_title;
      }
      facts.appendChild(node("span", null, api.fmt(T.straight, { km: (item.distance_m / 1000).toFixed(1) })));
      if (item.headcount) facts.appendChild(node("span", null, api.fmt(T.people, { n: item.headcount })));
      if (item.quantity) facts.appendChild(node("span", null, (item.quantity + " " + (units[capSel.value] || "")).trim()));
      if (item.phone) {
        const tel = facts.appendChild(node("a", null, item.phone));
        tel.href = "tel:" + item.phone.replace(/[^\d+]/g, "");
      }
      const m = L.marker(api.crs.latLng(item.lng, item.lat), {
        pane: "yj-results", keyboard: false, title: item.name,
        icon: L.divIcon({ className: "yj-marker yj-rank", html: '<span aria-hidden="true">' + (i + 1) + "</span>", iconSize: [24, 24] }),
      }).addTo(marks);
      m.on("click", () => { highlight(i); li.scrollIntoView({ block: "nearest" }); });
      markers.push(m);
      li.addEventListener("mouseenter", () => highlight(i));
      li.addEventListener("focusin", () => highlight(i));
      li.addEventListener("click", (e) => { if (e.target.closest("a")) return; highlight(i, true); });
    });
    fit(at);
  }

  function highlight(i, pan) {
    markers.forEach((m, k) => { const e = m.getElement(); if (e) e.classList.toggle("active", k === i); });
    list.querySelectorAll("li").forEach((li) => li.classList.toggle("active-row", li.dataset.index === String(i)));
    if (line) marks.removeLayer(line);
    const at = api.crs.latLng(point[0], point[1]);
    line = L.polyline([at, markers[i].getLatLng()], { pane: "yj-results", dashArray: "6 6", weight: 2, color: "#b22222", interactive: false }).addTo(marks);
    if (pan) map.panTo(markers[i].getLatLng());
  }

  function fit(at) {
    // keep the point and the first results in view, clear of the panel (side panel or bottom sheet)
    const box = L.latLngBounds([at]);
    markers.slice(0, 5).forEach((m) => box.extend(m.getLatLng()));
    const wide = window.innerWidth >= 992;
    const pad = wide ? { paddingTopLeft: [panel.offsetWidth + 24, 24], paddingBottomRight: [24, 24] }
                     : { paddingTopLeft: [16, 56], paddingBottomRight: [16, panel.offsetHeight + 16] };
    map.fitBounds(box, Object.assign({ maxZoom: 14 }, pad));
  }

  toggleBtn.addEventListener("click", () => (panel.hidden ? open() : close()));
  document.getElementById("nearest-close").addEventListener("click", close);
  panel.addEventListener("keydown", (e) => { if (e.key === "Escape") close(); });
  capSel.addEventListener("change", query);
  unitSel.addEventListener("change", () => {
    if (!unitSel.value) return;
    const [lng, lat] = unitSel.value.split(",").map(Number);
    setPoint([lng, lat]);
  });
  document.getElementById("nearest-centre").addEventListener("click", () => setPoint(api.crs.wgs84(map.getCenter())));
  list.tabIndex = -1;
})();
