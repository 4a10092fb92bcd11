/* HarmWatch: map and timeline on top of server-rendered pages (which work without this file).
 * Data from the API is only ever put in the page with textContent / DOM nodes, never innerHTML. */
(function () {
  "use strict";

  /* Two legends, no colour shared: weapon classes get distinct hues; grades (ordinal, how well
   * sourced) get steps of grey. The timeline and the monthly chart use neither palette. */
  var WEAPON_COLOURS = {
    air_bomb: "#7b3294", ballistic_missile: "#d7191c", cruise_missile: "#fdae61", drone: "#2c7bb6",
    landmine: "#8c510a", mortar: "#01665e", rocket_artillery: "#e66101", small_arms: "#f1b6da",
    tube_artillery: "#1a9641", unknown: "#ffff99"
  };
  var GRADE_COLOURS = {
    confirmed: "#111111", fair: "#555555", weak: "#999999", contested: "#cccccc", discounted: "#f4f4f4"
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

  /* The bundled base map (static/ukraine.geojson, see vendor/SOURCES.md): neighbouring land, Ukraine
   * within its internationally recognised borders (Crimea and Sevastopol included), oblast borders
   * and names. Panes inside the overlay pane, below the incident markers (z-index < 0 there). */
  var SEA_AND_NEIGHBOUR_LABELS = [
    ["Black Sea", 43.6, 33.6, "sea"], ["Sea of Azov", 46.1, 36.6, "sea"], ["Russia", 52.6, 39.8, "country"],
    ["Belarus", 53.1, 27.9, "country"], ["Poland", 51.6, 21.0, "country"], ["Moldova", 47.25, 28.45, "country"],
    ["Romania", 45.9, 25.0, "country"], ["Slovakia", 48.75, 20.2, "country"], ["Hungary", 47.4, 20.5, "country"]
  ];
  function baseMap(map, url) {
    var overlay = map.getPane("overlayPane");
    [["hw-land", -3], ["hw-borders", -2], ["hw-labels", -1]].forEach(function (p) {
      var pane = map.createPane(p[0], overlay);
      pane.style.zIndex = String(p[1]);
      if (p[0] === "hw-labels") { pane.style.pointerEvents = "none"; }
    });
    var land = L.featureGroup(null, {attribution: "Offline map: Natural Earth (public domain)"}), oblasts = L.featureGroup(), border = L.featureGroup();
    function add(group, geojson, style, pane) {
      L.geoJSON(geojson, {style: function () { return style; }, interactive: false, pane: pane}).addTo(group);
    }
    function label(group, text, lat, lon, cls) {
      var span = el("span", null, text);
      L.marker([lat, lon], {pane: "hw-labels", interactive: false, keyboard: false,
                            icon: L.divIcon({className: "maplabel " + cls, html: span, iconSize: null})}).addTo(group);
    }
    fetch(url, {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (g) {
        var kinds = {country: [], oblast: [], neighbour: []};
        g.features.forEach(function (f) { (kinds[f.properties.kind] || []).push(f); });
        kinds.neighbour.forEach(function (f) {
          add(land, f, {color: "#a9a396", weight: 0.8, fillColor: "#e4dfd3", fillOpacity: 1, className: "neighbour"}, "hw-land");
        });
        kinds.country.forEach(function (f) {
          add(land, f, {color: "#6d7687", weight: 0, fillColor: "#fbf9f2", fillOpacity: 1, className: "ukraine-land"}, "hw-land");
          add(border, f, {color: "#2b3a55", weight: 2, fill: false, className: "ukraine-border"}, "hw-borders");
        });
        kinds.oblast.forEach(function (f) {
          add(oblasts, f, {color: "#7d8597", weight: 0.8, dashArray: "3 2", fill: false, className: "oblast"}, "hw-borders");
          var minor = f.properties.name === "Kyiv City" || f.properties.name === "Sevastopol";
          label(oblasts, f.properties.name, f.properties.label[1], f.properties.label[0], "oblast-label" + (minor ? " minor" : ""));
        });
        SEA_AND_NEIGHBOUR_LABELS.forEach(function (l) { label(land, l[0], l[1], l[2], l[3] + "-label"); });
        if (g.frame) {  /* beyond the frame there is no base map: keep the view inside it */
          map.setMaxBounds(L.latLngBounds([g.frame[1], g.frame[0]], [g.frame[3], g.frame[2]]));
        }
        map.getContainer().setAttribute("data-outline-state", "ready");
        /* for the tests and for anyone curious: which subdivision a point lies in */
        map.getContainer().hwBase = g;
      })
      .catch(function (e) { map.getContainer().setAttribute("data-outline-state", "error: " + e.message); });
    function zoomClass() {
      var z = map.getZoom(), c = map.getContainer();
      c.classList.toggle("z-lt6", z < 6);
      c.classList.toggle("z-lt8", z < 8);
    }
    map.on("zoomend", zoomClass);
    zoomClass();
    return {land: land, oblasts: oblasts, border: border};
  }

  function initMap(node) {
    var mode = node.getAttribute("data-colour") || "weapon";
    var note = document.getElementById("mapnote");
    var map = L.map(node, {preferCanvas: false, worldCopyJump: false, minZoom: 4}).fitBounds(UKRAINE);
    map.attributionControl.setPrefix("");
    node.hwMap = map;
    var base = baseMap(map, node.getAttribute("data-outline"));
    var tiles = L.tileLayer(node.getAttribute("data-tiles"), {
      maxZoom: 18, attribution: "© OpenStreetMap contributors", crossOrigin: false
    });
    var loaded = false, failed = false;
    tiles.on("tileload", function () { loaded = true; });
    tiles.on("tileerror", function () {
      if (!loaded && !failed) {
        failed = true;
        map.removeLayer(tiles);
        base.land.addTo(map);
        node.setAttribute("data-base", "offline");
        if (note) { note.textContent = "Map tiles cannot be reached: showing the offline outline (Natural Earth)."; }
      }
    });
    base.land.addTo(map);
    node.setAttribute("data-base", "offline");
    if (navigator.onLine !== false) { tiles.addTo(map); map.removeLayer(base.land); node.setAttribute("data-base", "tiles"); }
    else if (note) { note.textContent = "Offline: showing the bundled outline (Natural Earth)."; }
    base.oblasts.addTo(map);
    base.border.addTo(map);
    L.control.layers({"OpenStreetMap": tiles, "Offline map": base.land},
                     {"Oblasts (borders, names)": base.oblasts, "Ukraine's border": base.border},
                     {collapsed: true}).addTo(map);
    L.control.scale({imperial: false}).addTo(map);

    /* Server-side clustering (/api/clusters, web/clusters.py): on every move the view's grid cells
     * at this zoom, drawn as counted circles; incidents alone in a cell (or every incident of a view
     * that holds few) as coloured points with a popup. A click on a cluster zooms to its incidents. */
    var layer = L.layerGroup().addTo(map);
    var markers = [];
    var src = node.getAttribute("data-clusters");
    var filterBox = (node.getAttribute("data-bbox") || "").split(",").map(parseFloat);
    if (filterBox.length !== 4 || !filterBox.every(isFinite)) { filterBox = null; }
    var seq = 0, lastUrl = null;
    function viewBox() {
      var b = map.getBounds();
      var v = [Math.max(-180, b.getWest()), Math.max(-90, b.getSouth()), Math.min(180, b.getEast()), Math.min(90, b.getNorth())];
      if (filterBox) {
        v = [Math.max(v[0], filterBox[0]), Math.max(v[1], filterBox[1]), Math.min(v[2], filterBox[2]), Math.min(v[3], filterBox[3])];
        if (v[0] > v[2] || v[1] > v[3]) { return null; }
      }
      return v.map(function (x) { return x.toFixed(4); });
    }
    function clusterUrl(box) {
      return src + (src.indexOf("?") >= 0 ? "&" : "?") + "zoom=" + map.getZoom() + (box ? "&bbox=" + box.join(",") : "");
    }
    function pointMarker(p) {
      // geo_precision 2: an approximate point (a village placed at its hromada centre, or
      // claims naming nearby places): drawn hollow with a dashed ring
      var approx = p.geo_precision === 2;
      var m = L.circleMarker([p.lat, p.lon], {radius: 7, weight: approx ? 2 : 1, color: approx ? colourOf(p, mode) : "#222",
                                             fillOpacity: approx ? 0.15 : 0.9, dashArray: approx ? "3 2" : null,
                                             fillColor: colourOf(p, mode),
                                             className: approx ? "incident-marker approximate" : "incident-marker"});
      m.feature = {properties: p};
      m.bindPopup(popup(p));
      return m;
    }
    function clusterMarker(c) {
      var size = c.count < 100 ? "small" : c.count < 10000 ? "medium" : "large";
      var inner = el("div");
      inner.appendChild(el("span", null, c.count >= 10000 ? Math.round(c.count / 1000) + "k" : c.count));
      var m = L.marker([c.lat, c.lon], {icon: L.divIcon({html: inner, className: "marker-cluster marker-cluster-" + size,
                                                         iconSize: L.point(40, 40)}),
                                        title: c.count + " incidents, " + c.killed + " killed", keyboard: true});
      m.on("click", function () {
        var b = L.latLngBounds([c.bounds[1], c.bounds[0]], [c.bounds[3], c.bounds[2]]);
        var z = map.getZoom(), target = Math.min(map.getBoundsZoom(b.pad(0.2)), map.getMaxZoom());
        if (target <= z) { target = Math.min(z + 2, map.getMaxZoom()); }
        if (target <= z) {  /* as close as the map goes: the incidents of this spot as a list */
          var box = el("div", {"class": "pop"});
          box.appendChild(el("a", {href: "/incidents?" + setParams({bbox: c.bounds.join(","), colour: null}).search.slice(1)},
                             c.count + " incidents here: list them"));
          m.bindPopup(box).openPopup();
          return;
        }
        map.setView(b.getCenter(), target);
      });
      return m;
    }
    function draw(g) {
      layer.clearLayers();
      markers = [];
      g.points.forEach(function (p) {
        if (p.lat === null || p.lon === null) { return; }
        var m = pointMarker(p);
        markers.push(m);
        layer.addLayer(m);
      });
      g.clusters.forEach(function (c) { layer.addLayer(clusterMarker(c)); });
      node.setAttribute("data-count", String(g.total));
      node.setAttribute("data-cluster-count", String(g.clusters.length));
      node.setAttribute("data-point-count", String(markers.length));
      node.setAttribute("data-zoom", String(g.zoom));
    }
    function fetchJson(url) {
      return fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); });
    }
    function failed(e) {
      node.setAttribute("data-state", "error");
      if (note) { note.textContent = "Could not load incidents (" + e.message + ")."; }
    }
    function load() {
      var box = viewBox();
      var url = clusterUrl(box);
      if (url === lastUrl) { return; }
      lastUrl = url;
      var mine = ++seq;
      node.setAttribute("data-state", "loading");
      if (filterBox && !box) { draw({points: [], clusters: [], total: 0, zoom: map.getZoom()}); node.setAttribute("data-state", "ready"); return; }
      fetchJson(url).then(function (g) {
        if (mine !== seq) { return; }  /* a later move asked again */
        draw(g);
        node.setAttribute("data-state", "ready");
      }).catch(function (e) { if (mine === seq) { failed(e); } });
    }
    node.setAttribute("data-state", "loading");
    /* first: where the matching incidents are (the whole grid at this zoom), to fit the view to them */
    fetchJson(clusterUrl(filterBox ? filterBox.map(function (x) { return x.toFixed(4); }) : null))
      .then(function (g) {
        if (g.extent) {
          var e = g.extent;
          map.fitBounds(L.latLngBounds([e[1], e[0]], [e[3], e[2]]).pad(0.3), {maxZoom: 9, animate: false});
        }
        map.on("moveend", load);
        load();
      })
      .catch(failed);
    var monthly = document.getElementById("monthly");
    if (monthly) {  /* the monthly table counts the incidents of the list (up to 5000, the newest) */
      fetchJson(node.getAttribute("data-geojson")).then(function (g) { initMonthly(monthly, g.features, g.total); })
        .catch(function (e) { monthly.textContent = "Monthly table unavailable (" + e.message + ")."; });
    }

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

  var NS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function dayNum(s) { return Math.round(Date.parse(s + "T00:00:00Z") / 86400000); }
  function dayStr(n) { return new Date(n * 86400000).toISOString().slice(0, 10); }
  /* 0 and up to 4 round steps up to max (1, 2, 5 × 10^k) */
  function ticks(max) {
    if (max <= 0) { return [0]; }
    var raw = max / 4, p = Math.pow(10, Math.floor(Math.log10(raw))), step = p;
    [1, 2, 5, 10].some(function (m) { step = m * p; return m * p >= raw; });
    step = Math.max(1, step);
    var out = [];
    for (var v = 0; v <= max + 1e-9; v += step) { out.push(v); }
    if (out[out.length - 1] < max) { out.push(out[out.length - 1] + step); }
    return out;
  }
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  /* date ticks on whole days, months or years, at most about 8 */
  function dateTicks(first, last, most) {
    var span = last - first + 1, out = [];
    if (span <= Math.min(10, most)) {
      for (var d = first; d <= last; d++) { out.push([d, dayStr(d).slice(5)]); }
      return out;
    }
    if (span <= 70 || span / most <= 7) {
      var step = Math.ceil(span / most);
      for (var e = first; e <= last; e += step) { out.push([e, dayStr(e).slice(5)]); }
      return out;
    }
    var a = new Date(first * 86400000), perMonth = span / 30.4;
    var months = perMonth <= most ? 1 : perMonth / 3 <= most ? 3 : perMonth / 6 <= most ? 6 : 12;
    var y = a.getUTCFullYear(), m = a.getUTCMonth() + 1;
    for (;;) {
      if (m > 11) { y += Math.floor(m / 12); m = m % 12; }
      var n = Math.round(Date.UTC(y, m, 1) / 86400000);
      if (n > last) { break; }
      if (m % months === 0) { out.push([n, months === 12 ? String(y) : MONTHS[m] + (m === 0 ? " " + y : "")]); }
      m += 1;
    }
    return out;
  }

  /* Timeline: bars of incidents per day (left axis), killed per day as points joined only across
   * consecutive days (right axis): an empty period is a gap, never a line. Click a day or drag. */
  function initTimeline(node) {
    fetch(node.getAttribute("data-src"), {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) {
        var days = data.days;
        if (!days.length) { node.textContent = "No dated incidents."; return; }
        var first = dayNum(days[0].date), last = dayNum(days[days.length - 1].date);
        var n = last - first + 1;
        /* drawn at the box's own pixel width, so labels keep their size on a phone */
        var W = Math.max(300, Math.min(1600, (node.clientWidth || 1000) - 10)), L0 = 40, R0 = 40, T0 = 8, H = 130, B0 = 22;
        var PW = W - L0 - R0, bw = PW / n;
        var maxI = Math.max.apply(null, days.map(function (d) { return d.incidents; }));
        var maxK = Math.max.apply(null, days.map(function (d) { return d.killed; }));
        var ti = ticks(maxI), tk = ticks(maxK);
        var topI = ti[ti.length - 1] || 1, topK = tk[tk.length - 1] || 1;
        function yI(v) { return T0 + H - (v / topI) * H; }
        function yK(v) { return T0 + H - (v / topK) * H; }
        function xDay(dn) { return L0 + (dn - first) * bw; }
        var root = svg("svg", {viewBox: "0 0 " + W + " " + (T0 + H + B0), "class": "tl", role: "img",
                               "aria-label": "Incidents and killed per day"});
        var sel = svg("rect", {y: T0, height: H, "class": "tl-sel", x: L0, width: 0});
        root.appendChild(sel);
        /* axes: left incidents, right killed, bottom dates */
        var axes = svg("g", {"class": "tl-axes"});
        ti.forEach(function (v) {
          axes.appendChild(svg("line", {x1: L0, x2: W - R0, y1: yI(v), y2: yI(v), "class": "tl-grid"}));
          axes.appendChild(svg("text", {x: L0 - 5, y: yI(v) + 4, "text-anchor": "end", "class": "tl-label tl-yi"}, v));
        });
        tk.forEach(function (v) {
          axes.appendChild(svg("text", {x: W - R0 + 5, y: yK(v) + 4, "text-anchor": "start", "class": "tl-label tl-yk"}, v));
        });
        axes.appendChild(svg("line", {x1: L0, x2: L0, y1: T0, y2: T0 + H, "class": "tl-axis"}));
        axes.appendChild(svg("line", {x1: W - R0, x2: W - R0, y1: T0, y2: T0 + H, "class": "tl-axis tl-axis-k"}));
        axes.appendChild(svg("line", {x1: L0, x2: W - R0, y1: T0 + H, y2: T0 + H, "class": "tl-axis"}));
        dateTicks(first, last, Math.max(3, Math.floor((W - L0 - R0) / 80))).forEach(function (t) {
          var x = xDay(t[0]) + bw / 2;
          axes.appendChild(svg("line", {x1: x, x2: x, y1: T0 + H, y2: T0 + H + 4, "class": "tl-axis"}));
          axes.appendChild(svg("text", {x: x, y: T0 + H + 16, "text-anchor": "middle", "class": "tl-label tl-x"}, t[1]));
        });
        root.appendChild(axes);
        var from = node.getAttribute("data-from"), to = node.getAttribute("data-to");
        function showSel(a, b) {
          if (a === null) { sel.setAttribute("width", 0); return; }
          var lo = Math.min(a, b), hi = Math.max(a, b);
          sel.setAttribute("x", xDay(lo));
          sel.setAttribute("width", (hi - lo + 1) * bw);
        }
        if (from || to) {
          showSel(Math.max(first, from ? dayNum(from) : first), Math.min(last, to ? dayNum(to) : last));
        }
        var runs = [], run = [], prev = null;
        days.forEach(function (d) {
          var dn = dayNum(d.date);
          var h = Math.max(2, (d.incidents / topI) * H);
          var bar = svg("rect", {x: xDay(dn) + bw * 0.1, width: Math.max(1, bw * 0.8), y: T0 + H - h, height: h,
                                 "class": "tl-bar", "data-date": d.date});
          bar.appendChild(svg("title", null, d.date + ": " + d.incidents + " incident(s), " + d.killed + " killed, " +
                                             d.injured + " injured"));
          root.appendChild(bar);
          if (prev !== null && dn !== prev + 1) { runs.push(run); run = []; }
          run.push([xDay(dn) + bw / 2, yK(d.killed)]);
          prev = dn;
        });
        runs.push(run);
        runs.forEach(function (r) {
          if (r.length > 1) {
            root.appendChild(svg("polyline", {points: r.map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join(" "),
                                              "class": "tl-killed"}));
          }
          r.forEach(function (p) { root.appendChild(svg("circle", {cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: 2.5, "class": "tl-killed-pt"})); });
        });
        node.appendChild(root);
        var key = el("p", {"class": "small"});
        key.appendChild(el("span", {"class": "tl-key-bar"}, "▮ incidents (left axis)"));
        key.appendChild(document.createTextNode(" "));
        key.appendChild(el("span", {"class": "tl-key-line"}, "●— killed, best estimate (right axis)"));
        key.appendChild(document.createTextNode(" · days without incidents are gaps · max " + maxI + " incidents, " + maxK + " killed in a day"));
        if (from || to) {
          var clear = el("a", {href: setParams({from: null, to: null}).toString()}, "clear dates");
          key.appendChild(document.createTextNode(" · "));
          key.appendChild(clear);
        }
        node.appendChild(key);
        node.setAttribute("data-state", "ready");

        function dayAt(evt) {
          var r = root.getBoundingClientRect();
          var x = (evt.clientX - r.left) / r.width * W - L0;
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

  /* Incidents and killed per month by oblast or by weapon class: a table of cells, each shaded by
   * killed (one sequential scale, no legend colour reused) and holding "incidents · killed". Built
   * from the map's own GeoJSON (the same filters). */
  function initMonthly(node, features, total) {
    var by = node.getAttribute("data-by") || "admin1";
    function draw() {
      node.textContent = "";
      var months = {}, rows = {}, cells = {};
      features.forEach(function (f) {
        var p = f.properties;
        if (!p.date) { return; }
        var m = p.date.slice(0, 7);
        var k = (by === "weapon_class" ? p.weapon_class : p.admin1) || "(unknown)";
        months[m] = true;
        rows[k] = rows[k] || {incidents: 0, killed: 0};
        rows[k].incidents += 1;
        rows[k].killed += (p.killed && p.killed.best) || 0;
        var c = cells[k + "|" + m] = cells[k + "|" + m] || {incidents: 0, killed: 0};
        c.incidents += 1;
        c.killed += (p.killed && p.killed.best) || 0;
      });
      var ms = Object.keys(months).sort();
      if (!ms.length) { node.appendChild(el("p", {"class": "small"}, "No dated incidents.")); return; }
      /* every month from the first to the last, so empty months show as empty */
      var all = [], y = +ms[0].slice(0, 4), mo = +ms[0].slice(5, 7), endKey = ms[ms.length - 1];
      for (var guard = 0; guard < 600; guard++) {
        var key = y + "-" + (mo < 10 ? "0" : "") + mo;
        all.push(key);
        if (key === endKey) { break; }
        mo += 1; if (mo > 12) { mo = 1; y += 1; }
      }
      var keys = Object.keys(rows).sort(function (a, b) { return rows[b].incidents - rows[a].incidents || (a < b ? -1 : 1); });
      var maxK = 0;
      Object.keys(cells).forEach(function (k) { maxK = Math.max(maxK, cells[k].killed); });
      var wrap = el("div", {"class": "monthly-scroll"});
      var t = el("table", {"class": "monthly"});
      var cap = el("caption", null, "Incidents · killed (best estimate) per month, by " + (by === "weapon_class" ? "weapon class" : "oblast"));
      t.appendChild(cap);
      var hr = el("tr");
      hr.appendChild(el("th", {scope: "col"}, by === "weapon_class" ? "weapon class" : "oblast"));
      all.forEach(function (m) { hr.appendChild(el("th", {scope: "col"}, MONTHS[+m.slice(5, 7) - 1] + " " + m.slice(0, 4))); });
      hr.appendChild(el("th", {scope: "col"}, "total"));
      t.appendChild(el("thead")).appendChild(hr);
      var tb = el("tbody");
      keys.forEach(function (k) {
        var tr = el("tr");
        tr.appendChild(el("th", {scope: "row"}, by === "weapon_class" ? k.replace(/_/g, " ") : k));
        all.forEach(function (m) {
          var c = cells[k + "|" + m];
          var td = el("td", {"class": c ? "has" : "none"}, c ? c.incidents + " · " + c.killed : "");
          if (c) {
            var level = maxK ? Math.ceil((c.killed / maxK) * 5) : 0;
            td.className = "has k" + level;
            td.title = k + ", " + m + ": " + c.incidents + " incident(s), " + c.killed + " killed";
          }
          tr.appendChild(td);
        });
        tr.appendChild(el("td", {"class": "tot"}, rows[k].incidents + " · " + rows[k].killed));
        tb.appendChild(tr);
      });
      t.appendChild(tb);
      wrap.appendChild(t);
      node.appendChild(wrap);
      var key = el("p", {"class": "small"}, "Each cell: incidents · killed; darker = more killed (0, then five steps up to " + maxK + ").");
      if (total > features.length) {
        key.appendChild(document.createTextNode(" Counted over the " + features.length + " incidents the map holds, of " + total + "."));
      }
      node.appendChild(key);
      node.setAttribute("data-state", "ready");
    }
    document.querySelectorAll("input[name=chart_by]").forEach(function (r) {
      r.addEventListener("change", function () { by = r.value; node.setAttribute("data-by", by); draw(); });
    });
    draw();
  }

  /* The incident page's small map: the bundled outline only (offline), one point; an approximate
   * point (hromada or raion centre) is drawn hollow and dashed, as on the main map. */
  function initMiniMap(node) {
    var lat = parseFloat(node.getAttribute("data-lat")), lon = parseFloat(node.getAttribute("data-lon"));
    if (!isFinite(lat) || !isFinite(lon)) { return; }
    var map = L.map(node, {minZoom: 4, maxZoom: 12, scrollWheelZoom: false}).setView([lat, lon], 8);
    var base = baseMap(map, node.getAttribute("data-outline"));
    base.oblasts.addTo(map);
    base.border.addTo(map);
    var approx = node.getAttribute("data-approx") === "1";
    L.circleMarker([lat, lon], {radius: 7, color: "#b2182b", weight: 2, fillOpacity: approx ? 0 : 0.8,
                                dashArray: approx ? "3 3" : null}).addTo(map);
    node.hwMap = map;
    node.setAttribute("data-state", "ready");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var m = document.getElementById("map");
    if (m && window.L) { initMap(m); }
    var mini = document.getElementById("minimap");
    if (mini && window.L) { initMiniMap(mini); }
    var t = document.getElementById("timeline");
    if (t) { initTimeline(t); }
  });
})();
