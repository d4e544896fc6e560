// Discussions: a reply form opened to quote a post puts the cursor after the quote.
// (Members to mention are suggested by the one autocomplete, autocomplete.js.)
// No inline scripts (CSP). Loaded by every page that shows a post form; runs once.
(function () {
  "use strict";
  if (window.chapterhouseDiscussions) { return; }
  window.chapterhouseDiscussions = true;

  function caretToEnd(root) {
    var box = root && root.querySelector && root.querySelector("textarea[data-autocomplete][autofocus]");
    if (!box) { return; }
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    caretToEnd(event.detail.elt && event.detail.elt.parentNode || document);
  });
  document.addEventListener("DOMContentLoaded", function () { caretToEnd(document); });
})();
