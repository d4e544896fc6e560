// Location fields (country › region › city). htmx reloads the regions when the
// country changes and fetches city suggestions as the member types; this file
// lets a suggestion (any element with data-city-name, a button or a list option)
// be chosen by click or keyboard: it fills the city input and the hidden city
// code, and keeps that code in step with what the input says. No inline scripts (CSP).
(function () {
  "use strict";

  var OPTION = "[data-city-name]";

  function parts(element) {
    var form = element.closest("form");
    if (!form) { return null; }
    var city = form.querySelector("[data-location-city]");
    return {
      city: city,
      code: form.querySelector("[data-location-city-code]"),
      list: city ? document.getElementById(city.getAttribute("aria-controls")) : null
    };
  }

  function options(p) {
    return p && p.list ? Array.prototype.slice.call(p.list.querySelectorAll(OPTION)) : [];
  }

  function clearSuggestions(p) {
    if (p && p.list) { p.list.innerHTML = ""; }
  }

  function choose(option) {
    var p = parts(option);
    if (!p || !p.city) { return; }
    p.city.value = option.dataset.cityName;
    if (p.code) { p.code.value = option.dataset.cityCode || ""; }
    clearSuggestions(p);
    p.city.focus();
  }

  function move(p, from, step) {
    var all = options(p);
    var index = all.indexOf(from) + step;
    if (index < 0) { p.city.focus(); return; }
    if (index < all.length) { all[index].focus(); }
  }

  document.addEventListener("click", function (event) {
    var option = event.target.closest(OPTION);
    if (option && option.closest("form")) { event.preventDefault(); choose(option); }
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.matches("[data-location-country], [data-location-region]")) { return; }
    var p = parts(target);
    if (!p) { return; }
    if (p.code) { p.code.value = ""; }
    if (target.matches("[data-location-country]") && p.city) { p.city.value = ""; }
    clearSuggestions(p);
  });

  document.addEventListener("input", function (event) {
    if (!event.target.matches("[data-location-city]")) { return; }
    var p = parts(event.target);
    // A typed name no longer matches the suggestion that was chosen.
    if (p && p.code) { p.code.value = ""; }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var p = parts(target);
    if (!p || !p.city) { return; }
    if (target === p.city) {
      if (event.key === "ArrowDown" && options(p).length) {
        event.preventDefault();
        options(p)[0].focus();
      } else if (event.key === "Escape") {
        clearSuggestions(p);
      }
    } else if (target.matches(OPTION)) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        move(p, target, event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        choose(target);
      } else if (event.key === "Escape") {
        clearSuggestions(p);
        p.city.focus();
      }
    }
  });
})();
