// The one autocomplete (chapterhouse/lib/autocomplete.py). htmx asks the server as
// the member types into a field[data-autocomplete] and puts the suggestions
// (li[data-suggestion]) into the list after it (ul.suggestions); this file lets one
// be chosen by click or keyboard: it fills the field (a mention field: replaces the
// "@name" being typed) and the field's hidden code, if it has one. A field with
// data-autocomplete-query sends its query under that name ("@name" only, for a
// mention). No inline scripts (CSP). Safe to load more than once.
(function () {
  "use strict";
  if (window.chapterhouseAutocomplete) { return; }
  window.chapterhouseAutocomplete = true;

  var FIELD = "[data-autocomplete]";
  var OPTION = "[data-suggestion]";
  // "@" and a name of up to 40 characters, spaces included ("@Haruto Ta"), up to the caret.
  var MENTION = /(^|\s)@([^\s@\[\]()][^\n@\[\]()]{1,39})$/;

  function isMention(field) { return field.getAttribute("data-autocomplete") === "mention"; }

  // The list htmx fills for `field`: its hx-target, "#id" or the next ul.suggestions.
  function listOf(field) {
    var target = field.getAttribute("hx-target") || "";
    if (target.charAt(0) === "#") { return document.querySelector(target); }
    var lists = document.querySelectorAll(".suggestions");
    for (var i = 0; i < lists.length; i++) {
      if (field.compareDocumentPosition(lists[i]) & Node.DOCUMENT_POSITION_FOLLOWING) {
        return lists[i];
      }
    }
    return null;
  }

  function fieldOf(list) {
    var fields = document.querySelectorAll(FIELD);
    for (var i = 0; i < fields.length; i++) {
      if (listOf(fields[i]) === list) { return fields[i]; }
    }
    return null;
  }

  function codeOf(field) {
    var selector = field.getAttribute("data-autocomplete-code");
    return selector ? document.querySelector(selector) : null;
  }

  function options(list) {
    return list ? Array.prototype.slice.call(list.querySelectorAll(OPTION)) : [];
  }

  function clear(list) { if (list) { list.innerHTML = ""; } }

  // The "@name" typed just before the caret of a mention field, or null.
  function pending(field) {
    var match = MENTION.exec(field.value.slice(0, field.selectionStart));
    return match ? match[2] : null;
  }

  function choose(option) {
    var list = option.closest(".suggestions");
    var field = fieldOf(list);
    if (!field) { return; }
    var value = option.getAttribute("data-suggestion");
    if (isMention(field)) {
      var caret = field.selectionStart;
      var query = pending(field);
      var start = query ? caret - query.length - 1 : caret;
      var text = value + " ";
      field.value = field.value.slice(0, start) + text + field.value.slice(caret);
      field.focus();
      field.setSelectionRange(start + text.length, start + text.length);
    } else {
      field.value = value;
      field.focus();
    }
    var code = codeOf(field);
    if (code) { code.value = option.getAttribute("data-suggestion-code") || ""; }
    clear(list);
    // Others may fill more from the choice (location.js: the city's region).
    field.dispatchEvent(new CustomEvent("chapterhouse:chosen", { bubbles: true, detail: { option: option } }));
  }

  // A field may carry a datalist for browsers without JavaScript: the suggestion
  // list takes its place.
  document.addEventListener("htmx:afterProcessNode", function (event) {
    var field = event.detail.elt;
    if (field && field.matches && field.matches(FIELD + "[list]")) { field.removeAttribute("list"); }
  });

  // Send the query under the name the endpoint reads; ask nothing when a mention
  // field has no "@name" before its caret.
  document.addEventListener("htmx:configRequest", function (event) {
    var field = event.detail.elt;
    var name = field && field.getAttribute && field.getAttribute("data-autocomplete-query");
    if (!name || !field.matches(FIELD)) { return; }
    var query = isMention(field) ? pending(field) : field.value;
    if (!query) { event.preventDefault(); clear(listOf(field)); return; }
    var parameters = event.detail.parameters;
    if (field.name) { delete parameters[field.name]; }
    parameters[name] = query;
  });

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches(FIELD)) { return; }
    // A typed name no longer matches the suggestion that was chosen.
    var code = codeOf(field);
    if (code) { code.value = ""; }
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest(OPTION);
    if (option && option.closest(".suggestions")) { event.preventDefault(); choose(option); }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target.matches) { return; }
    if (target.matches(FIELD)) {
      var list = listOf(target);
      if (event.key === "ArrowDown" && options(list).length) {
        event.preventDefault();
        options(list)[0].focus();
      } else if (event.key === "Escape") {
        clear(list);
      }
    } else if (target.matches(OPTION)) {
      var own = target.closest(".suggestions");
      var all = options(own);
      var index = all.indexOf(target);
      var field = fieldOf(own);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var next = index + (event.key === "ArrowDown" ? 1 : -1);
        if (next < 0) { if (field) { field.focus(); } } else if (next < all.length) { all[next].focus(); }
      } else if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        choose(target);
      } else if (event.key === "Escape") {
        clear(own);
        if (field) { field.focus(); }
      }
    }
  });
})();
