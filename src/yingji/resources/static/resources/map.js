// 应急资源地图: town boundaries plus one toggleable point layer per resource type (each with its own URL).
(function () {
  "use strict";
  const el = document.getElementById("map");
  const defs = JSON.parse(document.getElementById("resource-layers").textContent);
  const crs = el.dataset.crs || "wgs84";
  // maxZoom is set here: without a tile layer (offline) markercluster refuses a map that has none.
  const map = L.map(el, { preferCanvas: true, maxZoom: 19 });
  window.yingjiMap = map;
  window.yingjiLayers = {};
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution, maxZoom: 19 }).addTo(map);
  } else {
    el.classList.add("offline");
  }
  const palette = { warehouses: "#b9770e", teams: "#c0392b", equipment: "#6c3483", experts: "#1e8449",
                    shelters: "#2471a3", facilities: "#566573" };
  const control = L.control.layers(null, null, { collapsed: false }).addTo(map);
  const get = (url) => fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); });

  function popup(p) {
    const div = document.createElement("div");
    const a = document.createElement("a");
    a.href = p.url;
    a.textContent = p.name;
    div.appendChild(a);
    div.appendChild(document.createTextNode(" · " + p.kind_label + (p.status ? " · " + p.status : "")));
    return div;
  }

  function load(def) {
    return get(def.url + "?crs=" + crs).then((fc) => {
      const colour = palette[def.kind] || "#117a65";
      const geo = L.geoJSON(fc, {
        pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 5, color: colour, fillOpacity: 0.8 }),
        onEachFeature: (f, layer) => layer.bindPopup(popup(f.properties)),
      });
      const layer = L.markerClusterGroup ? L.markerClusterGroup({ chunkedLoading: true }).addLayer(geo) : geo;
      window.yingjiLayers[def.kind] = { count: fc.features.length, layer: layer };
      control.addOverlay(layer, def.label + " (" + fc.features.length + ")");
      if (def.on) layer.addTo(map);
    });
  }

  map.setView([23.1, 113.3], 11);
  const towns = get(el.dataset.unitsUrl + "?kind=town&crs=" + crs).then((fc) => {
    const layer = L.geoJSON(fc, { style: () => ({ color: "#2471a3", weight: 1, fillOpacity: 0.03 }) }).addTo(map);
    if (fc.features.length) map.fitBounds(layer.getBounds());
  });
  Promise.allSettled([towns].concat(defs.map(load))).then((results) => {
    el.dataset.loaded = results.every((r) => r.status === "fulfilled") ? "ok" : "partial";
  });
})();
