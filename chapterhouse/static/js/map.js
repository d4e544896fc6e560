// The world map of chapters (/map/). Everything it needs comes from the #map
// element's data attributes (the CSP forbids inline script): the GeoJSON URL,
// the tile URL and attribution (no tiles when empty) and translated labels.
(function () {
  "use strict";

  var LEVEL_COLOURS = ["#1d2329", "#a3321d", "#1a5fb4", "#2f6b3a", "#8a5a00"];

  function radiusFor(count) {
    // Area grows with membership: radius ∝ √count, within readable bounds.
    return Math.min(40, 5 + 2 * Math.sqrt(Math.max(0, count || 0)));
  }

  function popupFor(properties, labels) {
    // Built from DOM nodes, never HTML strings: names are written by members.
    var box = document.createElement("div");
    box.className = "chapter-popup";
    var title = document.createElement("strong");
    title.textContent = properties.name;
    box.appendChild(title);
    var meta = document.createElement("div");
    var count = Number(properties.count) || 0;
    meta.textContent = properties.level_name + " · " + count.toLocaleString() + " " +
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

  function start() {
    var element = document.getElementById("map");
    if (!element || typeof window.L === "undefined") { return; }
    var data = element.dataset;
    var labels = {
      member: data.labelMember || "member",
      members: data.labelMembers || "members",
      visit: data.labelVisit || "Visit",
    };
    // maxZoom on the map itself: without a tile layer markercluster needs it.
    var map = L.map(element, { worldCopyJump: true, minZoom: 1, maxZoom: 18 }).setView([20, 0], 2);
    if (data.tileUrl) {
      L.tileLayer(data.tileUrl, { attribution: data.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }
    var clusters = L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      maxClusterRadius: 45,
    });
    map.addLayer(clusters);

    fetch(data.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (collection) {
        var layer = L.geoJSON(collection, {
          pointToLayer: function (feature, latlng) {
            var properties = feature.properties || {};
            var colour = LEVEL_COLOURS[properties.level] || LEVEL_COLOURS[0];
            return L.circleMarker(latlng, {
              radius: radiusFor(properties.count),
              color: colour,
              weight: 1,
              fillColor: colour,
              fillOpacity: 0.45,
            });
          },
          onEachFeature: function (feature, marker) {
            marker.bindPopup(function () { return popupFor(feature.properties || {}, labels); });
          },
        });
        clusters.addLayers(layer.getLayers());
        element.dataset.loaded = String(layer.getLayers().length);
      })
      .catch(function () {
        showError(element, data.labelError || "The map could not load.");
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
