// 一张图: unit boundaries and points as toggleable layers. Works offline: with no tile URL set the
// background is plain and only our vector layers are drawn.
(function () {
  "use strict";
  const el = document.getElementById("map");
  const layersDef = JSON.parse(document.getElementById("map-layers").textContent);
  const crs = el.dataset.crs || "wgs84";
  // markercluster needs a maxZoom even when no tile layer sets one (the offline default).
  const map = L.map(el, { preferCanvas: true, zoomControl: true, maxZoom: 19 });
  window.yingjiMap = map;
  window.yingjiLayers = {};
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution, maxZoom: 19 }).addTo(map);
  } else {
    el.classList.add("offline");
  }
  const palette = { district: "#c0392b", town: "#2471a3", community: "#7d3c98", enterprise: "#d35400" };
  const control = L.control.layers(null, null, { collapsed: false }).addTo(map);
  let bounds = null;

  function popup(p) {
    const a = document.createElement("a");
    a.href = p.url || "/units/" + p.id + "/";
    a.textContent = p.name;
    const div = document.createElement("div");
    div.appendChild(a);
    if (p.kind_label) div.appendChild(document.createTextNode(" · " + p.kind_label));
    return div;
  }

  function load(def) {
    const url = def.url + (def.url.includes("?") ? "&" : "?") + "crs=" + crs;
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then((fc) => {
        const colour = palette[def.kind] || "#117a65";
        const geo = L.geoJSON(fc, {
          style: () => ({ color: colour, weight: def.kind === "district" ? 3 : 1, fillOpacity: 0.06 }),
          pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 5, color: colour, fillOpacity: 0.8 }),
          onEachFeature: (f, layer) => layer.bindPopup(popup(f.properties)),
        });
        let layer = geo;
        if (fc.features.length && fc.features[0].geometry.type === "Point" && L.markerClusterGroup) {
          layer = L.markerClusterGroup({ chunkedLoading: true });
          layer.addLayer(geo);
        }
        window.yingjiLayers[def.kind] = { count: fc.features.length, layer: layer };
        control.addOverlay(layer, def.label + " (" + fc.features.length + ")");
        if (def.on) layer.addTo(map);
        // Fit the view to the widest area layer (districts on the full map, towns on an app's map).
        if (fc.features.length && fc.features[0].geometry.type !== "Point") {
          const b = geo.getBounds();
          if (!bounds || b.contains(bounds)) bounds = b;
        }
      });
  }

  map.setView([23.1, 113.3], 10);
  Promise.allSettled(layersDef.map(load)).then((results) => {
    if (bounds) map.fitBounds(bounds);
    el.dataset.loaded = results.every((r) => r.status === "fulfilled") ? "ok" : "partial";
  });
})();
