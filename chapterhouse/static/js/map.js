// The world map of chapters (/map/). Everything it needs comes from the #map
// element's data attributes (the CSP forbids inline script): the GeoJSON URLs, the
// bundled world outline's URL, the tile URL and attribution (no tiles when empty)
// and translated labels.
//
// The first GeoJSON holds the countries only, so the first load stays the same size
// whatever the number of chapters. Zoomed in to CELL_ZOOM or closer, the regions,
// cities and neighbourhoods of the area in view come by cells of a fixed grid
// (selectors.MapCell: level/x/y, 360/2^level degrees square, level = zoom - 2), each
// fetched once and cached by the server and the browser; a marker is added once,
// whichever cell brings it. A cell holds its largest chapters only (the server says
// "capped"); the smaller cells of a closer zoom bring the others. The viewer's
// chapters and a search's results are drawn from the page (their lists carry their
// places), so they show at every zoom.
//
// Layers, bottom up: the world outline (Natural Earth 1:110m, bundled, in its own
// pane under the tiles, so it shows wherever tiles fail, are slow or are turned
// off), the tiles if any, then the chapters as circles sized by members, grouped
// into numbered clusters that count members. The lists beside the map (the
// viewer's chapters, search results, the chapters in view) are its text
// alternative: each entry gets a "Show on the map" button.
(function () {
  "use strict";

  // Index = chapter level (site.css .legend-swatch.level-N uses the same colours).
  var LEVEL_COLOURS = ["#1d2329", "#a3321d", "#1a5fb4", "#2f6b3a", "#8a5a00"];
  var MINE_COLOUR = "#000000";
  var LISTED_IN_VIEW = 50;
  // How close "Show on the map" zooms, by level: country, region, city, neighbourhood.
  var ZOOM_FOR_LEVEL = [2, 5, 7, 10, 12];
  var MAX_ZOOM = 12;
  var OUTLINE_ZOOM = 7;
  // Cells are fetched from this zoom on, at level zoom - 2 (a cell ≈ 1,024 px wide),
  // up to CELL_MAX_LEVEL; never more than CELLS_PER_VIEW at once.
  var CELL_ZOOM = 4;
  var CELL_MAX_LEVEL = 10;
  var CELLS_PER_VIEW = 16;

  function radiusFor(count) {
    // Area grows with membership: radius ∝ √count, within readable bounds (40 px at
    // 300 members; the legend says so).
    return Math.min(40, 5 + 2 * Math.sqrt(Math.max(0, count || 0)));
  }

  function number(value) {
    return (Number(value) || 0).toLocaleString(document.documentElement.lang || undefined);
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
    });
  }

  // Folds case and accents, so "sao paulo" finds "São Paulo".
  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  // Members of a set of chapters, each member once: a chapter whose ancestor is in
  // the set is already inside the ancestor's count. Sorted by URL, a chapter's
  // descendants follow it directly ("/c/gb/", "/c/gb/eng/", "/c/gb/eng/london/").
  function membersOf(markers) {
    var rows = markers.map(function (marker) { return marker.feature.properties; });
    rows.sort(function (a, b) { return a.url < b.url ? -1 : (a.url > b.url ? 1 : 0); });
    var total = 0;
    var counted = null;
    rows.forEach(function (row) {
      if (counted !== null && row.url.indexOf(counted) === 0) { return; }
      counted = row.url;
      total += Number(row.count) || 0;
    });
    return total;
  }

  function popupFor(properties, labels) {
    // Built from DOM nodes, never HTML strings: names are written by members.
    var box = document.createElement("div");
    box.className = "chapter-popup";
    // The map is left to right; its popups read in the page's direction.
    box.setAttribute("dir", document.documentElement.dir || "ltr");
    var title = document.createElement("strong");
    title.setAttribute("dir", "auto");
    title.textContent = properties.name;
    box.appendChild(title);
    var meta = document.createElement("div");
    var count = Number(properties.count) || 0;
    meta.textContent = properties.level_name + " · " + number(count) + " " +
      (count === 1 ? labels.member : labels.members);
    box.appendChild(meta);
    var link = document.createElement("a");
    link.className = "chapter-link";
    link.href = properties.url;
    link.textContent = labels.visit;
    box.appendChild(link);
    return box;
  }

  function showError(element, message) {
    var note = document.createElement("p");
    note.className = "message error map-error";
    note.setAttribute("role", "alert");
    note.textContent = message;
    element.parentNode.insertBefore(note, element);
  }

  // A cluster's icon: its members (not its chapters), and a text alternative on the
  // icon itself (Leaflet makes it a focusable role=button; Enter zooms in).
  var ClusterIcon = null;

  function clusterIcon(cluster, labels) {
    if (ClusterIcon === null) {
      ClusterIcon = L.DivIcon.extend({
        createIcon: function (oldIcon) {
          var icon = L.DivIcon.prototype.createIcon.call(this, oldIcon);
          icon.setAttribute("aria-label", this.options.label);
          return icon;
        },
      });
    }
    var markers = cluster.getAllChildMarkers();
    var members = membersOf(markers);
    var size = members < 100 ? "small" : (members < 1000 ? "medium" : "large");
    var text = document.createElement("span");
    text.textContent = number(members);
    return new ClusterIcon({
      html: text,
      className: "marker-cluster marker-cluster-" + size,
      iconSize: L.point(40, 40),
      label: format(labels.cluster, { chapters: number(markers.length), members: number(members) }),
    });
  }

  // Natural Earth's rings that cross the antimeridian (Russia, Fiji) jump from 180°
  // to -180° and back: on a flat map that is a stripe round the world. Continuing
  // them past 180° joins them up. A ring round the pole (Antarctica) jumps once
  // and is right as it is.
  function unwrapRing(ring) {
    var jumps = 0;
    for (var i = 1; i < ring.length; i++) {
      if (Math.abs(ring[i][0] - ring[i - 1][0]) > 180) { jumps++; }
    }
    if (jumps === 0 || jumps % 2 === 1) { return ring; }
    var offset = 0;
    return ring.map(function (point, index) {
      if (index) {
        var step = point[0] - ring[index - 1][0];
        if (step > 180) { offset -= 360; } else if (step < -180) { offset += 360; }
      }
      return [point[0] + offset, point[1]];
    });
  }

  function unwrapWorld(collection) {
    collection.features.forEach(function (feature) {
      var geometry = feature.geometry;
      if (!geometry) { return; }
      var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
      polygons.forEach(function (polygon) {
        for (var i = 0; i < polygon.length; i++) { polygon[i] = unwrapRing(polygon[i]); }
      });
    });
    return collection;
  }

  // The bundled world outline, in its own pane under the tiles.
  function drawWorld(map, element, data) {
    if (!data.baseUrl || typeof window.topojson === "undefined") { return; }
    // Under the tiles (200), above nothing: it shows through any missing tile.
    map.createPane("world").style.zIndex = "150";
    fetch(data.baseUrl, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (topology) {
        L.geoJSON(unwrapWorld(window.topojson.feature(topology, topology.objects.countries)), {
          pane: "world",
          renderer: L.svg({ pane: "world" }),
          interactive: false,
          attribution: data.baseAttribution || "Natural Earth",
          style: { color: "#8d9aa3", weight: 0.7, fillColor: "#f5f3ec", fillOpacity: 1 },
        }).addTo(map);
        element.dataset.world = "drawn";
      })
      .catch(function () { element.dataset.world = "failed"; });
  }

  // Upcoming events with a place (the events app's GeoJSON, when it is installed): a
  // layer of their own that the layers control turns on and off, and a list under the
  // map. Text only (textContent): titles are members' words.
  function addEvents(map, element, data) {
    if (!data.eventsUrl) { return; }
    var section = document.querySelector("[data-map-events]");
    fetch(data.eventsUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (collection) {
        var layer = L.geoJSON(collection, {
          pointToLayer: function (feature, latlng) {
            return L.circleMarker(latlng, {
              radius: 7, color: "#ffffff", weight: 2, fillColor: "#6a2c91", fillOpacity: 0.95,
            });
          },
          onEachFeature: function (feature, marker) {
            var properties = feature.properties || {};
            marker.bindPopup(function () {
              var box = document.createElement("div");
              box.className = "chapter-popup";
              var link = document.createElement("a");
              link.href = properties.url;
              link.textContent = properties.title;
              link.setAttribute("dir", "auto");
              var when = document.createElement("span");
              when.textContent = new Date(properties.starts_at).toLocaleString(
                document.documentElement.lang || undefined,
                { dateStyle: "medium", timeStyle: "short" });
              var where = document.createElement("span");
              where.className = "muted";
              where.textContent = properties.chapter;
              box.appendChild(link);
              box.appendChild(when);
              box.appendChild(where);
              return box;
            });
          },
        }).addTo(map);
        var overlays = {};
        overlays[data.labelEvents || "Upcoming events"] = layer;
        L.control.layers(null, overlays, { collapsed: false }).addTo(map);
        element.dataset.events = String(layer.getLayers().length);
        if (!section) { return; }
        var list = section.querySelector("ul");
        (collection.features || []).forEach(function (feature) {
          var properties = feature.properties || {};
          var item = document.createElement("li");
          var link = document.createElement("a");
          link.href = properties.url;
          link.textContent = properties.title;
          link.setAttribute("dir", "auto");
          var when = document.createElement("span");
          when.className = "muted";
          when.textContent = " · " + new Date(properties.starts_at).toLocaleString(
            document.documentElement.lang || undefined,
            { dateStyle: "medium", timeStyle: "short" }) + " · " + properties.chapter;
          item.appendChild(link);
          item.appendChild(when);
          list.appendChild(item);
        });
        section.hidden = !list.children.length;
      })
      .catch(function () { element.dataset.events = "failed"; });
  }

  function addTiles(map, element, data) {
    if (!data.tileUrl) { element.dataset.tiles = "off"; return; }
    var tiles = L.tileLayer(data.tileUrl, { attribution: data.tileAttribution || "", maxZoom: MAX_ZOOM });
    // A tile that fails leaves a hole through which the world outline shows.
    tiles.on("tileerror", function (event) {
      event.tile.classList.add("map-tile-failed");
      element.dataset.tiles = "failed";
    });
    tiles.on("tileload", function () {
      if (element.dataset.tiles !== "failed") { element.dataset.tiles = "loaded"; }
    });
    tiles.addTo(map);
  }

  function start() {
    var element = document.getElementById("map");
    if (!element || typeof window.L === "undefined") { return; }
    var data = element.dataset;
    var labels = {
      member: data.labelMember || "member",
      members: data.labelMembers || "members",
      visit: data.labelVisit || "Visit",
      count: data.labelCount || "Members: {count}",
      marker: data.labelMarker || "{name} ({level}). Members: {count}",
      cluster: data.labelCluster || "Chapters: {chapters}. Members: {members}.",
      show: data.labelShow || "Show on the map",
      showName: data.labelShowName || "Show on the map: {name}",
      inView: data.labelInView || "Chapters in this view: {count}.",
      inViewSome: data.labelInViewSome || "Chapters in this view: {count}.",
      capped: data.labelCapped || "",
    };
    var rtl = document.documentElement.dir === "rtl";
    // The map itself never mirrors; its controls sit on the reading side.
    element.setAttribute("dir", "ltr");
    // maxZoom on the map itself (markercluster needs one): a chapter stands at its
    // place's centre, a neighbourhood at its city's, so closer than a city shows nothing
    // more; chapters at one point spread out there.
    var map = L.map(element, {
      worldCopyJump: true, minZoom: 1, maxZoom: MAX_ZOOM, zoomControl: false, attributionControl: false,
    }).setView([20, 0], 2);
    L.control.zoom({ position: rtl ? "topright" : "topleft" }).addTo(map);
    L.control.attribution({ position: rtl ? "bottomleft" : "bottomright" }).addTo(map);
    drawWorld(map, element, data);
    addTiles(map, element, data);
    addEvents(map, element, data);

    var legend = document.getElementById("map-legend");
    if (legend) {
      legend.hidden = false;
      legend.querySelectorAll("[data-legend-count]").forEach(function (svg) {
        var radius = radiusFor(Number(svg.getAttribute("data-legend-count")));
        var circle = document.createElementNS("http://www.w3.org/2000/svg", "circle");
        circle.setAttribute("cx", "41");
        circle.setAttribute("cy", "41");
        circle.setAttribute("r", String(radius));
        svg.appendChild(circle);
      });
    }

    var mine = {};
    document.querySelectorAll("[data-map-mine] [data-map-chapter]").forEach(function (item) {
      mine[item.getAttribute("data-map-chapter")] = true;
    });

    var clusters = L.markerClusterGroup({
      // Clusters split and merge at once: kinder to those who prefer less motion, and
      // "Show on the map" can open a popup as soon as the map has moved.
      animate: false,
      chunkedLoading: true,
      showCoverageOnHover: false,
      maxClusterRadius: 45,
      iconCreateFunction: function (cluster) { return clusterIcon(cluster, labels); },
    });
    map.addLayer(clusters);

    var markers = [];
    var byUrl = {};
    var list = document.querySelector("[data-map-list]");
    var status = document.getElementById("map-list-status");

    // Centres the chapter at a zoom that suits its level, then opens its popup
    // (zooming further or spreading its cluster if it is still grouped).
    function show(marker) {
      // Leaflet drops a new view asked for during a zoom animation: ask after it.
      if (map._animatingZoom) {
        map.once("zoomend", function () { show(marker); });
        return;
      }
      var level = marker.feature.properties.level || 0;
      // Without tiles the world outline is all there is to see: no closer than a region.
      var zoom = element.dataset.tiles === "loaded" ? ZOOM_FOR_LEVEL[level] : Math.min(ZOOM_FOR_LEVEL[level], OUTLINE_ZOOM);
      map.once("moveend", function () {
        clusters.zoomToShowLayer(marker, function () { marker.openPopup(); });
      });
      map.setView(marker.getLatLng(), Math.max(map.getZoom(), zoom));
      element.scrollIntoView({ block: "nearest" });
    }

    function showButton(marker) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link map-show";
      button.textContent = labels.show;
      button.setAttribute("aria-label", format(labels.showName, { name: marker.feature.properties.name }));
      button.addEventListener("click", function () { show(marker); });
      return button;
    }

    // Every server-listed chapter with a marker gets its "Show on the map" button.
    function linkLists() {
      document.querySelectorAll("[data-map-chapter]").forEach(function (item) {
        var marker = byUrl[item.getAttribute("data-map-chapter")];
        if (marker && !item.querySelector(".map-show")) {
          item.appendChild(document.createTextNode(" "));
          item.appendChild(showButton(marker));
        }
      });
    }

    function itemFor(marker) {
      var properties = marker.feature.properties;
      var item = document.createElement("li");
      item.setAttribute("data-map-chapter", properties.url);
      var link = document.createElement("a");
      link.href = properties.url;
      link.setAttribute("dir", "auto");
      link.textContent = properties.name;
      item.appendChild(link);
      var meta = document.createElement("span");
      meta.className = "muted";
      meta.textContent = properties.level_name + " · " + format(labels.count, { count: number(properties.count) });
      item.appendChild(document.createTextNode(" "));
      item.appendChild(meta);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(showButton(marker));
      return item;
    }

    // The list under the map: the chapters in view, most members first.
    function listInView() {
      element.dataset.zoom = String(map.getZoom());
      if (!list || !markers.length) { return; }
      var bounds = map.getBounds();
      var inView = markers.filter(function (marker) { return bounds.contains(marker.getLatLng()); });
      inView.sort(function (a, b) {
        return (b.feature.properties.count - a.feature.properties.count) ||
          a.feature.properties.url.localeCompare(b.feature.properties.url);
      });
      var shown = inView.slice(0, LISTED_IN_VIEW);
      list.textContent = "";
      shown.forEach(function (marker) { list.appendChild(itemFor(marker)); });
      if (status) {
        var text = format(inView.length > shown.length ? labels.inViewSome : labels.inView,
          { count: number(inView.length), shown: number(shown.length) });
        var capped = cappedInView();
        status.textContent = capped && labels.capped ? text + " " + labels.capped : text;
        element.dataset.capped = String(capped);
      }
    }

    function fit(targets) {
      var bounds = L.latLngBounds(targets.map(function (marker) { return marker.getLatLng(); }));
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 6, animate: false }); }
    }

    function markerFor(feature, latlng) {
      var properties = feature.properties || {};
      var colour = LEVEL_COLOURS[properties.level] || LEVEL_COLOURS[0];
      var isMine = mine[properties.url] === true;
      return L.circleMarker(latlng, {
        radius: radiusFor(properties.count),
        color: isMine ? MINE_COLOUR : colour,
        weight: isMine ? 4 : 1,
        fillColor: colour,
        fillOpacity: 0.45,
        className: isMine ? "map-marker map-marker-mine" : "map-marker",
      });
    }

    function describe(marker) {
      // Circles are SVG paths: focusable buttons with a name, Enter opens the popup.
      var path = marker.getElement && marker.getElement();
      if (!path || path.hasAttribute("aria-label")) { return; }
      var properties = marker.feature.properties;
      path.setAttribute("role", "button");
      path.setAttribute("tabindex", "0");
      path.setAttribute("aria-label", format(labels.marker, {
        name: properties.name, level: properties.level_name, count: number(properties.count),
      }));
      path.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); marker.openPopup(); }
      });
    }

    // Adds the markers of features not on the map yet (by URL); returns those added.
    function addFeatures(features) {
      var fresh = features.filter(function (feature) {
        var url = feature.properties && feature.properties.url;
        return url && !byUrl[url];
      });
      if (!fresh.length) { return []; }
      var layer = L.geoJSON({ type: "FeatureCollection", features: fresh }, {
        pointToLayer: markerFor,
        onEachFeature: function (feature, marker) {
          marker.bindPopup(function () { return popupFor(feature.properties || {}, labels); });
          marker.on("add", function () { describe(marker); });
        },
      });
      var added = layer.getLayers();
      added.forEach(function (marker) {
        byUrl[marker.feature.properties.url] = marker;
        markers.push(marker);
      });
      clusters.addLayers(added);
      element.dataset.loaded = String(markers.length);
      linkLists();
      return added;
    }

    // A listed chapter that carries its place (the viewer's, a search's) as a feature.
    function featureOf(item) {
      var at = (item.getAttribute("data-map-at") || "").split(",").map(Number);
      if (at.length !== 2 || isNaN(at[0]) || isNaN(at[1])) { return null; }
      var link = item.querySelector("a");
      var meta = item.querySelector(".muted");
      return {
        type: "Feature",
        geometry: { type: "Point", coordinates: [at[1], at[0]] },
        properties: {
          name: link ? link.textContent : "",
          level: Number(item.getAttribute("data-map-level")) || 0,
          level_name: meta ? meta.textContent.split(" · ")[0] : "",
          count: Number(item.getAttribute("data-map-count")) || 0,
          url: item.getAttribute("data-map-chapter"),
        },
      };
    }

    function listedFeatures(selector) {
      var features = [];
      document.querySelectorAll(selector + " [data-map-chapter]").forEach(function (item) {
        var feature = featureOf(item);
        if (feature) { features.push(feature); }
      });
      return features;
    }

    // The cells of the grid in view at this zoom, wrapped round the antimeridian.
    var cells = {};  // id → "loading", "loaded", "capped" or "failed"
    function cellsInView() {
      var zoom = map.getZoom();
      if (zoom < CELL_ZOOM) { return []; }
      var level = Math.min(zoom - 2, CELL_MAX_LEVEL);
      var size = 360 / Math.pow(2, level);
      var columns = Math.pow(2, level);
      var rows = columns / 2;
      var bounds = map.getBounds();
      var west = Math.floor((bounds.getWest() + 180) / size);
      var east = Math.floor((bounds.getEast() + 180) / size);
      var south = Math.max(0, Math.floor((bounds.getSouth() + 90) / size));
      var north = Math.min(rows - 1, Math.floor((bounds.getNorth() + 90) / size));
      var found = [];
      for (var x = west; x <= east && x - west < columns; x++) {
        for (var y = south; y <= north; y++) {
          found.push(level + "/" + (((x % columns) + columns) % columns) + "/" + y);
        }
      }
      return found;
    }

    function cappedInView() {
      return cellsInView().some(function (id) { return cells[id] === "capped"; });
    }

    function loadCells() {
      if (!data.cellUrl) { return; }
      cellsInView().filter(function (id) { return !cells[id]; }).slice(0, CELLS_PER_VIEW)
        .forEach(function (id) {
          cells[id] = "loading";
          fetch(data.cellUrl + encodeURIComponent(id),
                { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
            .then(function (response) {
              if (!response.ok) { throw new Error("HTTP " + response.status); }
              return response.json();
            })
            .then(function (collection) {
              cells[id] = collection.capped ? "capped" : "loaded";
              addFeatures(collection.features || []);
              element.dataset.cells = String(Object.keys(cells).filter(function (key) {
                return cells[key] === "loaded" || cells[key] === "capped";
              }).length);
              listInView();
            })
            // Asked again the next time the view moves.
            .catch(function () { delete cells[id]; });
        });
    }

    // The viewer's chapters and the search's results first: they are in the page.
    addFeatures(listedFeatures("[data-map-mine]"));
    var results = listedFeatures("[data-map-results]");
    addFeatures(results);
    // Every result, whether it was added now or among the viewer's chapters.
    var found = results.map(function (feature) { return byUrl[feature.properties.url]; });
    if (found.length) { fit(found); }

    fetch(data.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (collection) {
        addFeatures(collection.features || []);
        // Fit the view to the search's results if there are any, else to every chapter.
        if (!found.length) { fit(markers); }
        listInView();
        loadCells();
        map.on("moveend", function () { loadCells(); listInView(); });
        element.dataset.loaded = String(markers.length);
      })
      .catch(function () {
        showError(element, data.labelError || "The map could not load.");
      });

    // The place search: a suggestion chosen (autocomplete.js) or a name typed that
    // matches a chapter shows it on the map; anything else goes to the server,
    // which lists what it finds.
    var form = document.getElementById("map-search");
    function findChapter(text) {
      var value = String(text || "").trim();
      if (!value) { return null; }
      var path = value === "international" ? null : byUrl["/c/" + value.replace(/^\/+|\/+$/g, "") + "/"];
      if (path) { return path; }
      var wanted = fold(value);
      var best = null;
      markers.forEach(function (marker) {
        var properties = marker.feature.properties;
        if (fold(properties.name) === wanted && (!best || properties.count > best.feature.properties.count)) {
          best = marker;
        }
      });
      return best;
    }
    if (form) {
      var field = form.querySelector("input[name=q]");
      var suggestions = document.getElementById("map-search-suggestions");
      var shown = null;
      var showFound = function (marker) {
        shown = marker.feature.properties.name;
        field.value = shown;
        if (suggestions) { suggestions.textContent = ""; }
        show(marker);
      };
      // autocomplete.js tells what was chosen (the suggestion's value: a chapter's address).
      form.addEventListener("chapterhouse:chosen", function (event) {
        var option = event.detail && event.detail.option;
        var marker = findChapter(option && option.getAttribute("data-suggestion"));
        if (marker) {
          showFound(marker);
        } else if (form.requestSubmit) {
          // Not on the map yet (its cell is not loaded): the server finds it, with its
          // place, and the map fits it.
          form.requestSubmit();
        }
      });
      form.addEventListener("submit", function (event) {
        var marker = findChapter(field.value);
        if (marker) {
          event.preventDefault();
          showFound(marker);
        }
      });
      // Suggestions for what was typed before the chapter was shown come too late:
      // they would cover the map.
      form.addEventListener("htmx:configRequest", function (event) {
        if (shown !== null && field.value === shown) { event.preventDefault(); }
      });
      form.addEventListener("htmx:beforeSwap", function (event) {
        if (shown !== null && field.value === shown) { event.detail.shouldSwap = false; }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
