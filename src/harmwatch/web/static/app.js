/* HarmWatch: map and timeline on top of server-rendered pages (which work without this file).
 * Data from the API is only ever put in the page with textContent / DOM nodes, never innerHTML. */
(function () {
  "use strict";

  var WEAPON_COLOURS = {
    air_bomb: "#7b3294", ballistic_missile: "#d7191c", cruise_missile: "#fdae61", drone: "#2c7bb6",
    landmine: "#8c510a", mortar: "#01665e", rocket_artillery: "#e66101", small_arms: "#4d4d4d",
    tube_artillery: "#1a9641", unknown: "#999999"
  };
  var GRADE_COLOURS = {
    confirmed: "#1a9641", fair: "#2c7bb6", weak: "#fdae61", contested: "#d7191c", discounted: "#777777"
  };
  var UKRAINE = [[44.2, 22.1], [52.4, 40.3]];

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); }); }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function setParams(changes) {
    var u = new URL(window.location.href);
    Object.keys(changes).forEach(function (k) {
      if (changes[k] === null || changes[k] === "") { u.searchParams.delete(k); } else { u.searchParams.set(k, changes[k]); }
    });
    return u;
  }

  function colourOf(props, mode) {
    var table = mode === "grade" ? GRADE_COLOURS : WEAPON_COLOURS;
    var key = mode === "grade" ? props.grade : props.weapon_class;
    return table[key] || "#999999";
  }

  function range(r) {
    if (!r || r.best === null || r.best === undefined) { return "–"; }
    return r.low === r.high ? String(r.best) : r.best + " (" + r.low + "–" + r.high + ")";
  }

  function popup(p) {
    var box = el("div", {"class": "pop"});
    var a = el("a", {href: "/incidents/" + encodeURIComponent(p.id)}, (p.place || "(no place)") + ", " + (p.date || "?"));
    box.appendChild(el("strong")).appendChild(a);
    box.appendChild(el("div", null, (p.weapon || p.weapon_class.replace(/_/g, " ")) + " · " + (p.objects || []).join(", ")));
    box.appendChild(el("div", null, "killed " + range(p.killed) + " · injured " + range(p.injured)));
    box.appendChild(el("div", null, p.sources + " sources (" + p.independent_sources + " independent) · " + p.grade));
    return box;
  }

  function legend(node, mode) {
    node.textContent = "";
    var table = mode === "grade" ? GRADE_COLOURS : WEAPON_COLOURS;
    Object.keys(table).forEach(function (k) {
      var item = el("span", {"class": "key"});
      var sw = el("i", {"class": "swatch"});
      sw.style.backgroundColor = table[k];
      item.appendChild(sw);
      item.appendChild(document.createTextNode(k.replace(/_/g, " ")));
      node.appendChild(item);
    });
  }

  function initMap(node) {
    var mode = node.getAttribute("data-colour") || "weapon";
    var note = document.getElementById("mapnote");
    var map = L.map(node, {preferCanvas: false, worldCopyJump: false}).fitBounds(UKRAINE);
    map.attributionControl.setPrefix("");
    var outline = L.geoJSON(null, {
      style: function (f) {
        return f.properties && f.properties.main
          ? {color: "#335", weight: 1.5, fillColor: "#f4f1e8", fillOpacity: 1}
          : {color: "#99a", weight: 0.8, fillColor: "#ecebe6", fillOpacity: 1};
      },
      interactive: false, attribution: "Outline: Natural Earth (public domain) via world-atlas"
    });
    fetch(node.getAttribute("data-outline"), {credentials: "same-origin"})
      .then(function (r) { return r.json(); }).then(function (g) { outline.addData(g); })
      .catch(function () {});
    var tiles = L.tileLayer(node.getAttribute("data-tiles"), {
      maxZoom: 18, attribution: "© OpenStreetMap contributors", crossOrigin: false
    });
    var loaded = false, failed = false;
    tiles.on("tileload", function () { loaded = true; });
    tiles.on("tileerror", function () {
      if (!loaded && !failed) {
        failed = true;
        map.removeLayer(tiles);
        outline.addTo(map);
        if (note) { note.textContent = "Map tiles cannot be reached: showing the offline outline."; }
      }
    });
    outline.addTo(map);
    if (navigator.onLine !== false) { tiles.addTo(map); map.removeLayer(outline); }
    else if (note) { note.textContent = "Offline: showing the bundled outline."; }
    L.control.layers({"OpenStreetMap": tiles, "Offline outline": outline}, null, {collapsed: true}).addTo(map);
    L.control.scale({imperial: false}).addTo(map);

    var cluster = L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 40});
    var markers = [];
    map.addLayer(cluster);
    node.setAttribute("data-state", "loading");
    fetch(node.getAttribute("data-geojson"), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (g) {
        var pts = [];
        g.features.forEach(function (f) {
          if (!f.geometry) { return; }
          var ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
          var m = L.circleMarker(ll, {radius: 7, weight: 1, color: "#222", fillOpacity: 0.9,
                                      fillColor: colourOf(f.properties, mode), className: "incident-marker"});
          m.feature = f;
          m.bindPopup(popup(f.properties));
          markers.push(m);
          pts.push(ll);
        });
        cluster.addLayers(markers);
        if (pts.length) { map.fitBounds(L.latLngBounds(pts).pad(0.3), {maxZoom: 9}); }
        node.setAttribute("data-count", String(markers.length));
        node.setAttribute("data-state", "ready");
        if (g.total > g.features.length && note) {
          note.textContent = "Showing " + g.features.length + " of " + g.total + " incidents: narrow the filters to see all.";
        }
      })
      .catch(function (e) {
        node.setAttribute("data-state", "error");
        if (note) { note.textContent = "Could not load incidents (" + e.message + ")."; }
      });

    var leg = document.getElementById("legend");
    if (leg) { legend(leg, mode); }
    document.querySelectorAll("input[name=colour]").forEach(function (r) {
      r.addEventListener("change", function () {
        mode = r.value;
        markers.forEach(function (m) { m.setStyle({fillColor: colourOf(m.feature.properties, mode)}); });
        if (leg) { legend(leg, mode); }
        window.history.replaceState(null, "", setParams({colour: mode}).toString());
      });
    });

    var area = L.control({position: "topright"});
    area.onAdd = function () {
      var b = el("button", {type: "button", "class": "areabtn"}, "Filter to this area");
      L.DomEvent.disableClickPropagation(b);
      b.addEventListener("click", function () {
        var bb = map.getBounds();
        var v = [bb.getWest(), bb.getSouth(), bb.getEast(), bb.getNorth()].map(function (x) { return x.toFixed(4); });
        window.location.href = setParams({bbox: v.join(",")}).toString();
      });
      return b;
    };
    area.addTo(map);
  }

  /* Timeline: bars of incidents per day, a line of killed per day; click a day or drag a range. */
  function initTimeline(node) {
    var NS = "http://www.w3.org/2000/svg";
    function svg(tag, attrs) {
      var e = document.createElementNS(NS, tag);
      Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      return e;
    }
    function dayNum(s) { return Math.round(Date.parse(s + "T00:00:00Z") / 86400000); }
    function dayStr(n) { return new Date(n * 86400000).toISOString().slice(0, 10); }
    fetch(node.getAttribute("data-src"), {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) {
        var days = data.days;
        if (!days.length) { node.textContent = "No dated incidents."; return; }
        var first = dayNum(days[0].date), last = dayNum(days[days.length - 1].date);
        var n = last - first + 1;
        var W = 1000, H = 120, PAD = 18;
        var bw = W / n;
        var maxI = Math.max.apply(null, days.map(function (d) { return d.incidents; }));
        var maxK = Math.max(1, Math.max.apply(null, days.map(function (d) { return d.killed; })));
        var root = svg("svg", {viewBox: "0 0 " + W + " " + (H + PAD), "class": "tl", role: "img",
                               "aria-label": "Incidents per day"});
        var sel = svg("rect", {y: 0, height: H, "class": "tl-sel", x: 0, width: 0});
        root.appendChild(sel);
        var from = node.getAttribute("data-from"), to = node.getAttribute("data-to");
        function showSel(a, b) {
          if (a === null) { sel.setAttribute("width", 0); return; }
          var lo = Math.min(a, b), hi = Math.max(a, b);
          sel.setAttribute("x", (lo - first) * bw);
          sel.setAttribute("width", (hi - lo + 1) * bw);
        }
        if (from || to) {
          showSel(Math.max(first, from ? dayNum(from) : first), Math.min(last, to ? dayNum(to) : last));
        }
        var path = [];
        days.forEach(function (d) {
          var i = dayNum(d.date) - first;
          var h = Math.max(2, (d.incidents / maxI) * (H - 10));
          var bar = svg("rect", {x: i * bw + bw * 0.1, width: Math.max(1, bw * 0.8), y: H - h, height: h,
                                 "class": "tl-bar", "data-date": d.date});
          var t = svg("title");
          t.textContent = d.date + ": " + d.incidents + " incident(s), " + d.killed + " killed, " + d.injured + " injured";
          bar.appendChild(t);
          root.appendChild(bar);
          path.push((i * bw + bw / 2).toFixed(1) + "," + (H - (d.killed / maxK) * (H - 10)).toFixed(1));
        });
        if (path.length > 1) { root.appendChild(svg("polyline", {points: path.join(" "), "class": "tl-killed"})); }
        [[first, "start"], [last, "end"]].forEach(function (p) {
          var lab = svg("text", {x: p[1] === "start" ? 0 : W, y: H + 14, "text-anchor": p[1], "class": "tl-label"});
          lab.textContent = dayStr(p[0]);
          root.appendChild(lab);
        });
        node.appendChild(root);
        var key = el("p", {"class": "small"});
        key.appendChild(el("span", {"class": "tl-key-bar"}, "▮ incidents"));
        key.appendChild(document.createTextNode(" "));
        key.appendChild(el("span", {"class": "tl-key-line"}, "— killed (best)"));
        key.appendChild(document.createTextNode(" · max " + maxI + " incidents, " + maxK + " killed in a day"));
        if (from || to) {
          var clear = el("a", {href: setParams({from: null, to: null}).toString()}, "clear dates");
          key.appendChild(document.createTextNode(" · "));
          key.appendChild(clear);
        }
        node.appendChild(key);

        function dayAt(evt) {
          var r = root.getBoundingClientRect();
          var x = (evt.clientX - r.left) / r.width * W;
          return Math.min(last, Math.max(first, first + Math.floor(x / bw)));
        }
        var start = null;
        root.addEventListener("pointerdown", function (e) { start = dayAt(e); showSel(start, start); root.setPointerCapture(e.pointerId); });
        root.addEventListener("pointermove", function (e) { if (start !== null) { showSel(start, dayAt(e)); } });
        root.addEventListener("pointerup", function (e) {
          if (start === null) { return; }
          var end = dayAt(e), lo = Math.min(start, end), hi = Math.max(start, end);
          start = null;
          window.location.href = setParams({from: dayStr(lo), to: dayStr(hi)}).toString();
        });
      })
      .catch(function (e) { node.textContent = "Timeline unavailable (" + e.message + ")."; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var m = document.getElementById("map");
    if (m && window.L) { initMap(m); }
    var t = document.getElementById("timeline");
    if (t) { initTimeline(t); }
  });
})();
