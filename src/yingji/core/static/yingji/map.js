// 一张图: units and every module's layers, each drawn as its layer definition says (symbol, colour by status,
// popup rows from the server), in a stable order: units below, resources above in their declared order. A
// legend that is also the layer switch, a scale bar, search, click-for-coordinates. Works offline: with no
// tile URL the background is plain and only our vector layers are drawn. Tools (map-nearest.js) hook in
// through window.yingjiMapApi.
(function () {
  "use strict";
  const el = document.getElementById("map");
  const defs = JSON.parse(document.getElementById("map-layers").textContent);
  const config = JSON.parse(document.getElementById("map-config").textContent);
  const T = config.text;
  const crsName = el.dataset.crs || "wgs84";
  const fmt = (s, vals) => s.replace(/\{(\w+)\}/g, (m, k) => (k in vals ? vals[k] : m));

  // --- WGS-84 (storage) ↔ the tiles' coordinate system: the formulas of yingji.domain.geo.coords ---------
  const CRS = (function () {
    const A = 6378245.0, EE = 0.00669342162296594323, XPI = (Math.PI * 3000.0) / 180.0;
    const inChina = (lng, lat) => lng >= 73.66 && lng <= 135.05 && lat >= 3.86 && lat <= 53.55;
    function shift(lng, lat) {
      const x = lng - 105.0, y = lat - 35.0, pi = Math.PI;
      const common = ((20 * Math.sin(6 * x * pi) + 20 * Math.sin(2 * x * pi)) * 2) / 3;
      let dlat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) + common;
      dlat += ((20 * Math.sin(y * pi) + 40 * Math.sin((y / 3) * pi)) * 2) / 3;
      dlat += ((160 * Math.sin((y / 12) * pi) + 320 * Math.sin((y * pi) / 30)) * 2) / 3;
      let dlng = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) + common;
      dlng += ((20 * Math.sin(x * pi) + 40 * Math.sin((x / 3) * pi)) * 2) / 3;
      dlng += ((150 * Math.sin((x / 12) * pi) + 300 * Math.sin((x / 30) * pi)) * 2) / 3;
      const rad = (lat / 180) * pi, magic = 1 - EE * Math.sin(rad) ** 2, sq = Math.sqrt(magic);
      return [(dlng * 180) / ((A / sq) * Math.cos(rad) * pi), (dlat * 180) / (((A * (1 - EE)) / (magic * sq)) * pi)];
    }
    function wgsToGcj(lng, lat) {
      if (!inChina(lng, lat)) return [lng, lat];
      const d = shift(lng, lat);
      return [lng + d[0], lat + d[1]];
    }
    function gcjToWgs(lng, lat) {
      if (!inChina(lng, lat)) return [lng, lat];
      let w = [lng, lat];
      for (let i = 0; i < 30; i++) {
        const g = wgsToGcj(w[0], w[1]), dx = g[0] - lng, dy = g[1] - lat;
        w = [w[0] - dx, w[1] - dy];
        if (Math.abs(dx) < 1e-10 && Math.abs(dy) < 1e-10) break;
      }
      return w;
    }
    function gcjToBd(lng, lat) {
      const z = Math.hypot(lng, lat) + 0.00002 * Math.sin(lat * XPI);
      const t = Math.atan2(lat, lng) + 0.000003 * Math.cos(lng * XPI);
      return [z * Math.cos(t) + 0.0065, z * Math.sin(t) + 0.006];
    }
    function bdToGcj(lng, lat) {
      const x = lng - 0.0065, y = lat - 0.006;
      const z = Math.hypot(x, y) - 0.00002 * Math.sin(y * XPI), t = Math.atan2(y, x) - 0.000003 * Math.cos(x * XPI);
      return [z * Math.cos(t), z * Math.sin(t)];
    }
    const to = { wgs84: (a, b) => [a, b], gcj02: wgsToGcj, bd09: (a, b) => gcjToBd(...wgsToGcj(a, b)) };
    const from = { wgs84: (a, b) => [a, b], gcj02: gcjToWgs, bd09: (a, b) => gcjToWgs(...bdToGcj(a, b)) };
    return {
      // a stored [lng, lat] → a Leaflet LatLng on this map; a clicked LatLng → stored [lng, lat]
      latLng: (lng, lat) => { const d = to[crsName](lng, lat); return L.latLng(d[1], d[0]); },
      wgs84: (latlng) => from[crsName](latlng.lng, latlng.lat),
    };
  })();

  // --- the map, its panes (the drawing order) and standard controls --------------------------------------
  // markercluster needs a maxZoom even when no tile layer sets one (the offline default).
  const map = L.map(el, { preferCanvas: true, zoomControl: false, maxZoom: 19 });
  window.yingjiMap = map;
  window.yingjiLayers = {};
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution, maxZoom: 19 }).addTo(map);
  } else {
    el.classList.add("offline");
  }
  L.control.zoom({ position: "bottomright", zoomInTitle: T.zoom_in, zoomOutTitle: T.zoom_out }).addTo(map);
  L.control.scale({ position: "bottomright", imperial: false }).addTo(map);
  // Unit areas share one canvas (a canvas above another would swallow its clicks); points get a pane each,
  // so a layer switched off and on again keeps its place.
  map.createPane("yj-units").style.zIndex = 350;
  defs.forEach((d, i) => { d.pane = d.group === "units" ? "yj-units" : "yj-l" + i; });
  defs.forEach((d, i) => { if (d.group !== "units") map.createPane(d.pane).style.zIndex = 450 + i; });

  // --- symbols: a shape with a letter, coloured by status ------------------------------------------------
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  function shapeOf(shape, s) {
    const h = s / 2, m = 1.5, e = s - m;
    const pts = {
      diamond: [[h, m], [e, h], [h, e], [m, h]],
      triangle: [[h, m], [e, e - 1], [m, e - 1]],
      hexagon: [0, 1, 2, 3, 4, 5].map((k) => [h + (h - m) * Math.cos((Math.PI / 3) * k), h + (h - m) * Math.sin((Math.PI / 3) * k)]),
      pentagon: [0, 1, 2, 3, 4].map((k) => [h + (h - m) * Math.cos((2 * Math.PI * k) / 5 - Math.PI / 2), h + (h - m) * Math.sin((2 * Math.PI * k) / 5 - Math.PI / 2)]),
    }[shape];
    if (pts) return '<polygon points="' + pts.map((p) => p[0].toFixed(1) + "," + p[1].toFixed(1)).join(" ") + '"/>';
    if (shape === "square") return '<rect x="' + m + '" y="' + m + '" width="' + (s - 2 * m) + '" height="' + (s - 2 * m) + '" rx="3"/>';
    return '<circle cx="' + h + '" cy="' + h + '" r="' + (h - m) + '"/>';
  }
  function symbolSvg(sym, colour, size, text) {
    const s = size || 22, label = text === undefined ? sym.letter : text;
    const dy = sym.shape === "triangle" ? s * 0.66 : s * 0.52;
    return '<svg class="yj-sym" width="' + s + '" height="' + s + '" viewBox="0 0 ' + s + " " + s + '" aria-hidden="true" focusable="false">' +
      '<g fill="' + esc(colour) + '" stroke="#fff" stroke-width="1.5">' + shapeOf(sym.shape, s) + "</g>" +
      '<text x="50%" y="' + dy.toFixed(1) + '" text-anchor="middle" dominant-baseline="middle" fill="#fff" font-size="' +
      Math.round(s * (String(label).length > 2 ? 0.38 : 0.5)) + '" font-weight="700">' + esc(label) + "</text></svg>";
  }
  const statusColour = {};
  defs.forEach((d) => { statusColour[d.kind] = Object.fromEntries((d.statuses || []).map((s) => [s.value, s.colour])); });
  const colourOf = (def, p) => statusColour[def.kind][p.status] || def.symbol.colour;

  // --- popups: the server's rows ([label, text, href]) under the name, linked ------------------------------
  function node(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }
  function featurePopup(def, p) {
    const div = node("div", "yj-popup");
    const head = div.appendChild(node("div", "fw-semibold mb-1"));
    const a = head.appendChild(node("a", null, p.name));
    a.href = p.url || def.link.replace("{id}", p.id);
    head.appendChild(node("span", "badge text-bg-secondary ms-1", p.kind_label || def.label));
    if (p.exercise) head.appendChild(node("span", "badge exercise ms-1", T.exercise));
    if (p.popup && p.popup.length) {
      const dl = div.appendChild(node("dl", "yj-popup-rows"));
      p.popup.forEach((row) => {
        dl.appendChild(node("dt", null, row[0]));
        const dd = dl.appendChild(node("dd"));
        if (row[2]) { const t = dd.appendChild(node("a", null, row[1])); t.href = row[2]; } else dd.textContent = row[1];
      });
    }
    return div;
  }

  // --- the legend, which is also the layer switch (collapsed on phones) ----------------------------------
  const Legend = L.Control.extend({
    options: { position: "topright" },
    onAdd: function () {
      const box = node("details", "yj-legend leaflet-bar");
      box.dataset.testid = "map-legend";
      if (window.innerWidth >= 992) box.open = true;
      box.appendChild(node("summary", null, T.legend));
      const list = box.appendChild(node("ul", "list-unstyled m-0"));
      defs.forEach((d, i) => {
        const li = list.appendChild(node("li"));
        const check = li.appendChild(node("div", "form-check m-0"));
        const input = check.appendChild(node("input", "form-check-input"));
        input.type = "checkbox";
        input.id = "layer-" + i;
        input.checked = !!d.on;
        input.dataset.kind = d.kind;
        const label = check.appendChild(node("label", "form-check-label"));
        label.htmlFor = input.id;
        label.insertAdjacentHTML("beforeend", d.group === "units"
          ? '<svg class="yj-sym" width="18" height="14" aria-hidden="true" focusable="false"><rect x="1" y="1" width="16" height="12" fill="' + esc(d.colour) + '" fill-opacity=".12" stroke="' + esc(d.colour) + '" stroke-width="' + Math.min(d.weight, 3) + '"/></svg>'
          : symbolSvg(d.symbol, d.symbol.colour, 18));
        label.appendChild(node("span", "yj-layer-name", " " + d.label));
        d.countNode = label.appendChild(node("span", "yj-layer-count", ""));
        input.addEventListener("change", () => toggle(d, input.checked));
        d.input = input;
        if (d.statuses && d.statuses.length) {
          const sub = li.appendChild(node("ul", "list-unstyled yj-statuses"));
          d.statuses.forEach((s) => {
            const item = sub.appendChild(node("li"));
            item.insertAdjacentHTML("beforeend", symbolSvg(d.symbol, s.colour, 14, ""));
            item.appendChild(node("span", null, " " + s.label));
          });
        }
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    },
  });
  new Legend().addTo(map);

  function toggle(def, on) {
    const entry = window.yingjiLayers[def.kind];
    if (!entry) return;
    if (on) entry.layer.addTo(map); else map.removeLayer(entry.layer);
    if (def.input) def.input.checked = on;
    if (on && def.group === "units") restack();
  }
  function restack() { // unit areas in their declared order on the shared canvas
    defs.forEach((d) => {
      const e = window.yingjiLayers[d.kind];
      if (d.group === "units" && e && map.hasLayer(e.layer) && e.layer.bringToFront) e.layer.bringToFront();
    });
  }

  // --- loading the layers ---------------------------------------------------------------------------------
  const searchable = []; // {name, def, marker, props}
  let bounds = null;
  let clickedUnit = null;

  function load(def) {
    const url = def.url + (def.url.includes("?") ? "&" : "?") + "crs=" + crsName;
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then((fc) => {
        const units = def.group === "units";
        const geo = L.geoJSON(fc, {
          pane: def.pane,
          // A feature may carry its own style (the risk map's four colours); otherwise the layer's colour.
          style: (f) => (f && f.properties && f.properties.style) || { color: def.colour, weight: def.weight, fillOpacity: 0.06 },
          pointToLayer: (f, latlng) => {
            const icon = L.divIcon({ html: symbolSvg(def.symbol, colourOf(def, f.properties)), className: "yj-marker",
                                     iconSize: [22, 22], popupAnchor: [0, -8] });
            return L.marker(latlng, { icon: icon, pane: def.pane, title: f.properties.name });
          },
          onEachFeature: (f, layer) => {
            if (units && f.geometry.type !== "Point") {
              layer.on("click", () => { clickedUnit = { def: def, props: f.properties }; });
            } else {
              layer.bindPopup(() => featurePopup(def, f.properties));
            }
            searchable.push({ name: f.properties.name, def: def, marker: layer, props: f.properties });
          },
        });
        let layer = geo;
        const points = fc.features.length && fc.features[0].geometry.type === "Point";
        if (points && L.markerClusterGroup) {
          layer = L.markerClusterGroup({
            chunkedLoading: true, clusterPane: def.pane, showCoverageOnHover: false,
            iconCreateFunction: (c) => L.divIcon({
              html: symbolSvg(def.symbol, def.symbol.colour, 30, c.getChildCount()) +
                '<span class="visually-hidden">' + esc(fmt(T.cluster, { n: c.getChildCount(), label: def.label })) + "</span>",
              className: "yj-marker yj-cluster", iconSize: [30, 30],
            }),
          });
          layer.addLayer(geo);
        }
        window.yingjiLayers[def.kind] = { count: fc.features.length, layer: layer, geo: geo, def: def };
        def.countNode.textContent = " (" + fc.features.length + ")";
        if (def.input.checked) toggle(def, true);
        // Fit the view to the widest area layer (districts on the full map, towns on an app's map).
        if (fc.features.length && !points) {
          const b = geo.getBounds();
          if (!bounds || b.contains(bounds)) bounds = b;
        }
      });
  }

  // --- click for coordinates (WGS-84, the order every filter takes: lng,lat) -----------------------------
  const api = { map: map, crs: CRS, text: T, fmt: fmt, node: node, defs: defs, symbolSvg: symbolSvg, config: config,
                pointHandler: null, openNearest: null, esc: esc };
  window.yingjiMapApi = api;

  function lngLatText(ll) { return ll[0].toFixed(6) + "," + ll[1].toFixed(6); }
  api.lngLatText = lngLatText;

  function copyButton(text) {
    const btn = node("button", "btn btn-sm btn-link py-0 px-1", T.copy);
    btn.type = "button";
    btn.dataset.testid = "copy-coords";
    btn.addEventListener("click", () => {
      const done = (ok) => { btn.textContent = ok ? T.copied : T.copy_failed; };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(() => done(true), () => done(false));
      else done(false);
    });
    return btn;
  }
  api.copyButton = copyButton;

  map.on("click", (e) => {
    const unit = clickedUnit;
    clickedUnit = null;
    const ll = CRS.wgs84(e.latlng);
    if (api.pointHandler && api.pointHandler(ll, e.latlng)) return;
    const div = node("div", "yj-popup");
    if (unit) div.appendChild(featurePopup(unit.def, unit.props));
    div.appendChild(node("div", "small text-body-secondary", T.coords));
    const row = div.appendChild(node("div", "d-flex align-items-center gap-2"));
    const code = row.appendChild(node("code", null, lngLatText(ll)));
    code.dataset.testid = "coords";
    row.appendChild(copyButton(lngLatText(ll)));
    if (api.openNearest) {
      const go = div.appendChild(node("button", "btn btn-sm btn-primary mt-2", T.nearest_here));
      go.type = "button";
      go.addEventListener("click", () => { map.closePopup(); api.openNearest(ll, e.latlng); });
    }
    L.popup().setLatLng(e.latlng).setContent(div).openOn(map);
  });

  // --- search: units by name (the API) and resources among the loaded layers -----------------------------
  const q = document.getElementById("map-q");
  const hits = document.getElementById("map-q-results");
  let timer = null, found = [];

  function show(hit) {
    hits.hidden = true;
    if (hit.marker) {
      const entry = window.yingjiLayers[hit.def.kind];
      toggle(hit.def, true);
      if (hit.marker.getBounds) { map.fitBounds(hit.marker.getBounds()); return; }
      if (entry.layer.zoomToShowLayer) entry.layer.zoomToShowLayer(hit.marker, () => hit.marker.openPopup());
      else { map.setView(hit.marker.getLatLng(), 15); hit.marker.openPopup(); }
    } else if (hit.lng !== null && hit.lat !== null) {
      map.setView(CRS.latLng(hit.lng, hit.lat), 14);
    }
  }
  function render(list) {
    found = list;
    hits.replaceChildren();
    if (!list.length) { hits.appendChild(node("li", "list-group-item small", T.no_match)); }
    list.forEach((hit) => {
      const li = hits.appendChild(node("li", "list-group-item p-0"));
      const b = li.appendChild(node("button", "list-group-item-action btn btn-sm text-start w-100 border-0"));
      b.type = "button";
      b.appendChild(node("span", null, hit.name));
      b.appendChild(node("span", "text-body-secondary small", " · " + hit.label));
      b.addEventListener("click", () => show(hit));
    });
    hits.hidden = false;
  }
  function search(text) {
    const needle = text.trim().toLowerCase();
    if (!needle) { hits.hidden = true; return; }
    const local = searchable.filter((s) => s.name && s.name.toLowerCase().includes(needle)).slice(0, 8)
      .map((s) => ({ name: s.name, label: s.props.kind_label || s.def.label, def: s.def, marker: s.marker }));
    const seen = new Set(local.filter((h) => h.def.group === "units").map((h) => h.name));
    fetch(config.units + "?limit=5&q=" + encodeURIComponent(text.trim()), { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : { items: [] }))
      .then((page) => {
        if (q.value !== text) return;
        const units = page.items.filter((u) => !seen.has(u.name))
          .map((u) => ({ name: u.name, label: u.kind_label || T.unit, lng: u.lng, lat: u.lat }));
        render(local.concat(units));
      }, () => render(local));
  }
  if (q) {
    q.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => search(q.value), 250); });
    q.form.addEventListener("submit", (e) => { e.preventDefault(); if (found.length) show(found[0]); });
    q.addEventListener("keydown", (e) => { if (e.key === "Escape") { hits.hidden = true; } });
    map.on("click", () => { hits.hidden = true; });
  }

  map.setView([23.1, 113.3], 10);
  Promise.allSettled(defs.map(load)).then((results) => {
    if (bounds) map.fitBounds(bounds);
    restack();
    el.dataset.loaded = results.every((r) => r.status === "fulfilled") ? "ok" : "partial";
  });
})();
