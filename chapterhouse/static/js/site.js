// Small progressive enhancements shared by every page. No inline scripts (CSP).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
});

// The compact header's menu and the breadcrumb's dropdowns are <details>, which work
// without JavaScript. Here they also say whether they are open (aria-expanded), close on
// Escape (the focus going back to their button), on a click elsewhere or when the focus
// leaves them, one is open at a time, and a dropdown that would cross the screen's edge
// opens towards the start instead. On a wide screen the menu stays open: its links are the
// header's row (site.css hides the button there).
(function () {
  var wide = window.matchMedia("(min-width: 70rem)");

  function buttonOf(details) { return details.querySelector(":scope > summary"); }
  function pinned(details) { return details.hasAttribute("data-site-menu") && wide.matches; }
  function sync(details) {
    var button = buttonOf(details);
    if (button) { button.setAttribute("aria-expanded", details.open ? "true" : "false"); }
  }
  function close(details, giveFocusBack) {
    if (!details.open || pinned(details)) { return; }
    details.open = false;
    sync(details);
    if (giveFocusBack) { buttonOf(details).focus(); }
  }
  function place(details) {
    var list = details.querySelector(":scope > .siblings");
    if (!list) { return; }
    list.classList.remove("opens-to-start");
    var box = list.getBoundingClientRect();
    if (box.right > document.documentElement.clientWidth || box.left < 0) {
      list.classList.add("opens-to-start");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var all = Array.prototype.slice.call(
      document.querySelectorAll("details[data-site-menu], .breadcrumb details"));
    var menu = document.querySelector("details[data-site-menu]");
    all.forEach(function (details) {
      sync(details);
      details.addEventListener("toggle", function () {
        sync(details);
        if (!details.open) { return; }
        place(details);
        all.forEach(function (other) { if (other !== details) { close(other, false); } });
      });
      details.addEventListener("focusout", function (event) {
        var next = event.relatedTarget;
        if (next && !details.contains(next)) { close(details, false); }
      });
    });
    function fit() {
      if (menu) { menu.open = wide.matches; sync(menu); }
    }
    fit();
    if (wide.addEventListener) { wide.addEventListener("change", fit); }
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var focused = document.activeElement;
      all.forEach(function (details) {
        if (details.open) { close(details, details.contains(focused)); }
      });
    });
    document.addEventListener("click", function (event) {
      all.forEach(function (details) {
        if (!details.contains(event.target)) { close(details, false); }
      });
    });
  });
})();

// A table wider than the screen scrolls inside its .table-scroll box, code in a post
// inside its <pre>: make that box reachable by keyboard (arrow keys scroll it) while,
// and only while, it scrolls (WCAG 2.1.1; axe's scrollable-region-focusable).
(function () {
  function mark() {
    document.querySelectorAll(".table-scroll, pre").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) { box.setAttribute("tabindex", "0"); }
      else { box.removeAttribute("tabindex"); }
    });
  }
  document.addEventListener("DOMContentLoaded", mark);
  window.addEventListener("resize", mark);
  document.addEventListener("htmx:afterSwap", mark);
})();
