// Location fields (country › region › city). htmx reloads the regions when the
// country changes; the city field is the one autocomplete (autocomplete.js). Here:
// a new country or region makes the chosen city's code (and, for a country, the
// city itself) and the suggestions out of date. No inline scripts (CSP).
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.matches("[data-location-country], [data-location-region]")) { return; }
    var form = target.closest("form");
    if (!form) { return; }
    var city = form.querySelector("[data-location-city]");
    var code = form.querySelector("[data-location-city-code]");
    var list = city ? document.getElementById(city.getAttribute("aria-controls")) : null;
    if (code) { code.value = ""; }
    if (target.matches("[data-location-country]") && city) { city.value = ""; }
    if (list) { list.innerHTML = ""; }
  });

  // A city chosen from the whole country's suggestions fills its region too.
  document.addEventListener("chapterhouse:chosen", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("[data-location-city]")) { return; }
    var region = event.detail.option.getAttribute("data-region-code");
    var form = field.closest("form");
    var select = form ? form.querySelector("[data-location-region]") : null;
    if (!region || !select) { return; }
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === region) { select.value = region; break; }
    }
  });
})();
