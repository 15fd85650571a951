/* Incident pages: the intake map (a click fills "经度, 纬度"), the command dashboard map (dispatched resources
   coloured by status, redrawn after each live poll), the report countdown, and the replay stepping through the
   timeline. Plain Leaflet; tiles only when a tile URL is configured (offline: vector layers on a plain ground). */
(function () {
  "use strict";
  function makeMap(el, centre, zoom) {
    var map = L.map(el, { zoomControl: true }).setView([centre[1], centre[0]], zoom || 13);
    var url = el.dataset.tileUrl;
    if (url) { L.tileLayer(url, { attribution: el.dataset.tileAttribution || "" }).addTo(map); }
    else { el.classList.add("offline"); }
    return map;
  }
  function dot(latlng, colour, radius, title) {
    return L.circleMarker(latlng, { radius: radius || 8, color: "#212529", weight: 1, fillColor: colour,
                                   fillOpacity: 0.9 }).bindTooltip(title);
  }
  function data(id) { var n = document.getElementById(id); return n ? JSON.parse(n.textContent) : null; }

  // Intake: click to place the incident.
  var intake = document.getElementById("intake-map");
  if (intake) {
    var input = document.getElementById("id_location");
    var start = [113.30, 23.10], marker = null;
    if (input && input.value.indexOf(",") > 0) {
      var p = input.value.split(/[,，]/).map(parseFloat);
      if (!isNaN(p[0]) && !isNaN(p[1])) { start = p; }
    }
    var m = makeMap(intake, start, 12);
    function place(lng, lat) {
      if (marker) { marker.setLatLng([lat, lng]); } else { marker = L.marker([lat, lng]).addTo(m); }
    }
    if (input && input.value) { place(start[0], start[1]); }
    m.on("click", function (e) {
      var lng = e.latlng.lng.toFixed(6), lat = e.latlng.lat.toFixed(6);
      if (input) { input.value = lng + ", " + lat; }
      place(lng, lat);
    });
  }

  // Command dashboard.
  var dash = document.getElementById("incident-map");
  if (dash) {
    var d = data("incident-map-data");
    var map = makeMap(dash, [d.incident.lng, d.incident.lat], 13);
    L.marker([d.incident.lat, d.incident.lng]).addTo(map).bindTooltip(d.incident.title);
    var fixed = L.layerGroup().addTo(map), moving = L.layerGroup().addTo(map);
    (d.hazards || []).forEach(function (h) { dot([h.lat, h.lng], "#6f42c1", 6, "⚠ " + h.name).addTo(fixed); });
    (d.places || []).forEach(function (p) {
      dot([p.lat, p.lng], p.kind === "hospital" ? "#d63384" : "#20c997", 6, p.name).addTo(fixed);
    });
    function drawDispatches(items) {
      moving.clearLayers();
      (items || []).forEach(function (x) {
        dot([x.lat, x.lng], x.colour, 9, x.name + " · " + x.label).addTo(moving);
      });
    }
    drawDispatches(d.dispatches);
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "card p-2 small");
      Object.keys(d.legend).forEach(function (k) {
        var row = document.createElement("div");
        var sw = document.createElement("span");
        sw.style.cssText = "display:inline-block;width:.8em;height:.8em;border-radius:50%;margin-right:.3em;background:" + (d.colours || {})[k];
        row.appendChild(sw); row.appendChild(document.createTextNode(d.legend[k])); div.appendChild(row);
      });
      return div;
    };
    legend.addTo(map);
    document.body.addEventListener("htmx:afterSwap", function () {
      var fresh = data("incident-live-data");
      if (fresh) { drawDispatches(fresh.dispatches); }
      tick();
    });
  }

  // Live countdown of reports due.
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".yj-countdown[data-due]").forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.due) - now) / 1000), neg = left < 0;
      left = Math.abs(left);
      var h = Math.floor(left / 3600), mi = Math.floor((left % 3600) / 60), s = left % 60;
      var text = (h ? h + ":" : "") + String(mi).padStart(2, "0") + ":" + String(s).padStart(2, "0");
      el.textContent = (neg ? "−" : "") + text;
    });
  }
  if (document.querySelector(".yj-countdown")) { tick(); setInterval(tick, 1000); }

  // Replay.
  var rmap = document.getElementById("replay-map");
  if (rmap) {
    var r = data("replay-data");
    var map2 = makeMap(rmap, [r.incident.lng, r.incident.lat], 13);
    L.marker([r.incident.lat, r.incident.lng]).addTo(map2).bindTooltip(r.incident.title);
    var layer = L.layerGroup().addTo(map2);
    var range = document.getElementById("replay-step"), now = document.getElementById("replay-now");
    function show(i) {
      i = Math.max(0, Math.min(r.frames.length - 1, i));
      range.value = i;
      var state = {}, where = {};
      for (var k = 0; k <= i; k++) {
        var f = r.frames[k];
        if (f.dispatch) {
          if (f.lng != null) { where[f.dispatch] = [f.lat, f.lng]; }
          if (f.status) { state[f.dispatch] = f.status; }
        }
      }
      layer.clearLayers();
      Object.keys(state).forEach(function (id) {
        if (where[id]) { dot(where[id], r.colours[state[id]], 9, r.legend[state[id]]).addTo(layer); }
      });
      var f = r.frames[i];
      now.textContent = f ? f.at + " " + f.text : "";
      document.querySelectorAll("#replay-list li").forEach(function (li) {
        li.classList.toggle("fw-bold", Number(li.dataset.step) === i);
      });
    }
    document.getElementById("replay-next").addEventListener("click", function () { show(Number(range.value) + 1); });
    document.getElementById("replay-prev").addEventListener("click", function () { show(Number(range.value) - 1); });
    range.addEventListener("input", function () { show(Number(range.value)); });
    show(0);
  }
})();
