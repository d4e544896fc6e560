// Discussions: mention search in post forms. Typing "@" and a few letters in a
// textarea[data-mentions] lists matching members (GET data-mentions?q=…); choosing
// one inserts "@[Name](member:<id>)", which the server renders as a link and uses
// to notify the member. Without JavaScript the form links to a search page.
// No inline scripts (CSP). Loaded by every page that shows a post form; runs once.
(function () {
  "use strict";
  if (window.chapterhouseDiscussions) { return; }
  window.chapterhouseDiscussions = true;

  var OPTION = "[data-mention-token]";
  var PATTERN = /(^|\s)@([^\s@\[\]()]{2,40})$/;
  var timer = null;
  var lastQuery = "";

  function listFor(textarea) {
    var form = textarea.closest("form");
    return form ? form.querySelector("[data-mention-list]") : null;
  }

  function textareaFor(element) {
    var form = element.closest("form");
    return form ? form.querySelector("textarea[data-mentions]") : null;
  }

  function pending(textarea) {
    var before = textarea.value.slice(0, textarea.selectionStart);
    var match = PATTERN.exec(before);
    return match ? match[2] : null;
  }

  function clear(list) {
    if (list) { list.innerHTML = ""; }
    lastQuery = "";
  }

  function search(textarea) {
    var list = listFor(textarea);
    var query = pending(textarea);
    if (!list) { return; }
    if (!query) { clear(list); return; }
    if (query === lastQuery) { return; }
    lastQuery = query;
    var url = textarea.dataset.mentions + "?q=" + encodeURIComponent(query);
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (pending(textarea) === query) { list.innerHTML = html; }
      })
      .catch(function () { clear(list); });
  }

  function choose(option) {
    var textarea = textareaFor(option);
    if (!textarea) { return; }
    var caret = textarea.selectionStart;
    var before = textarea.value.slice(0, caret);
    var after = textarea.value.slice(caret);
    var match = PATTERN.exec(before);
    var start = match ? caret - match[2].length - 1 : caret;
    var token = option.dataset.mentionToken + " ";
    textarea.value = textarea.value.slice(0, start) + token + after;
    var position = start + token.length;
    textarea.focus();
    textarea.setSelectionRange(position, position);
    clear(listFor(textarea));
  }

  // A reply form opened to quote a post: the cursor goes after the quote.
  function caretToEnd(root) {
    var box = root && root.querySelector && root.querySelector("textarea[data-mentions][autofocus]");
    if (!box) { return; }
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    caretToEnd(event.detail.elt && event.detail.elt.parentNode || document);
  });
  document.addEventListener("DOMContentLoaded", function () { caretToEnd(document); });

  document.addEventListener("input", function (event) {
    var textarea = event.target;
    if (!textarea.matches || !textarea.matches("textarea[data-mentions]")) { return; }
    clearTimeout(timer);
    timer = setTimeout(function () { search(textarea); }, 200);
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest(OPTION);
    if (option) { event.preventDefault(); choose(option); }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target.matches) { return; }
    if (target.matches("textarea[data-mentions]")) {
      var list = listFor(target);
      var first = list ? list.querySelector(OPTION) : null;
      if (event.key === "ArrowDown" && first) { event.preventDefault(); first.focus(); }
      else if (event.key === "Escape") { clear(list); }
    } else if (target.matches(OPTION)) {
      var options = Array.prototype.slice.call(
        target.closest("[data-mention-list]").querySelectorAll(OPTION));
      var index = options.indexOf(target);
      if (event.key === "ArrowDown" && index < options.length - 1) {
        event.preventDefault(); options[index + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (index > 0) { options[index - 1].focus(); } else { var t = textareaFor(target); if (t) { t.focus(); } }
      } else if (event.key === "Escape") {
        var textarea = textareaFor(target);
        clear(target.closest("[data-mention-list]"));
        if (textarea) { textarea.focus(); }
      }
    }
  });
})();
