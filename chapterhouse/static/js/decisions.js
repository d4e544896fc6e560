// Decisions: small enhancements over forms that work without JavaScript.
// - countdowns keep ticking (time[data-countdown], words from Intl in the page language)
// - the draft form shows options and the rules/roles fields only when the category
//   needs them, adds option inputs and affected-group rows (their sub-chapter field
//   is the one autocomplete: autocomplete.js)
// - ranked ballots get "move up/down" buttons and drag-and-drop that renumber ranks
// - htmx swaps the ballot panel with its errors in place
// - the decision log's chapter filter is sent when a suggestion is chosen
// No inline scripts (CSP). Safe to load more than once.
(function () {
  "use strict";
  if (window.chapterhouseDecisions) { return; }
  window.chapterhouseDecisions = true;
  document.documentElement.classList.add("js");

  var lang = document.documentElement.lang || "en";

  // Each element is enhanced once, however often htmx reports new content.
  function once(el, key) {
    if (el.dataset[key]) { return false; }
    el.dataset[key] = "1";
    return true;
  }

  // -- Countdowns ---------------------------------------------------------------------------
  function unit(value, name) {
    try {
      return new Intl.NumberFormat(lang, { style: "unit", unit: name, unitDisplay: "long" })
        .format(value);
    } catch (e) {
      return value + " " + name + (value === 1 ? "" : "s");
    }
  }

  function left(ms) {
    var minutes = Math.max(0, Math.floor(ms / 60000));
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    if (days > 0) { return hours ? unit(days, "day") + ", " + unit(hours, "hour") : unit(days, "day"); }
    if (hours > 0) { return mins ? unit(hours, "hour") + ", " + unit(mins, "minute") : unit(hours, "hour"); }
    return unit(mins, "minute");
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var when = Date.parse(el.getAttribute("datetime"));
      if (!isNaN(when)) { el.textContent = left(when - now); }
    });
  }

  // -- The draft form -----------------------------------------------------------------------
  function filled(container) {
    return Array.prototype.some.call(
      container.querySelectorAll("input[type=text], input[type=number], select"),
      function (input) { return input.value && input.value.trim() !== ""; });
  }

  function setupDraftForm(form) {
    var category = form.querySelector("select[name=category]");
    if (!category || !once(form, "enhanced")) { return; }
    var multi = (form.getAttribute("data-multi-categories") || "").split(/\s+/);
    var options = form.querySelector("[data-options]");
    var rules = form.querySelector("[data-payload=rules]");
    var roles = form.querySelector("[data-payload=roles]");
    function update() {
      var value = category.value;
      if (options) { options.hidden = multi.indexOf(value) < 0 && !filled(options); }
      if (rules) { rules.hidden = value !== "rules" && !rules.querySelector(".errorlist"); }
      if (roles) { roles.hidden = value !== "roles" && !roles.querySelector(".errorlist"); }
    }
    category.addEventListener("change", update);
    update();

    var addOption = form.querySelector("[data-option-add]");
    var list = form.querySelector("[data-option-list]");
    if (addOption && list) {
      addOption.addEventListener("click", function () {
        var items = list.querySelectorAll("li");
        var last = items[items.length - 1];
        var next = items.length + 1;
        if (!last || next > 50) { return; }
        var item = last.cloneNode(true);
        item.querySelectorAll(".errorlist").forEach(function (e) { e.remove(); });
        var input = item.querySelector("input");
        var label = item.querySelector("label");
        input.name = "option_" + next;
        input.id = "id_option_" + next;
        input.value = "";
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
        if (label) {
          label.htmlFor = input.id;
          label.textContent = label.textContent.replace(/\d+/, String(next));
        }
        list.appendChild(item);
        input.focus();
      });
    }
  }

  function setupFormset(button) {
    if (!once(button, "enhanced")) { return; }
    var prefix = button.getAttribute("data-prefix");
    var fieldset = button.closest("fieldset");
    var body = fieldset.querySelector("[data-formset-body]");
    var template = fieldset.querySelector("template[data-formset-template]");
    var total = fieldset.querySelector("input[name=" + prefix + "-TOTAL_FORMS]");
    if (!body || !template || !total) { return; }
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("tbody");
      holder.innerHTML = html;
      var row = holder.querySelector("tr");
      body.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input");
      if (first) { first.focus(); }
      // The sub-chapter field is the one autocomplete (htmx attributes, autocomplete.js).
      if (window.htmx) { window.htmx.process(row); }
    });
  }

  // -- Ranked ballots -----------------------------------------------------------------------
  function rankOf(row) {
    var select = row.querySelector("select");
    return select && select.value ? parseInt(select.value, 10) : null;
  }

  // After a move the ranks follow the rows as shown: every row from the top down to
  // the lowest ranked (or moved) row gets its position as its rank, the rows below it
  // stay unranked. What the member sees is what is cast.
  function renumber(table, moved) {
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-rank-row]"));
    var last = -1;
    rows.forEach(function (row, index) {
      var select = row.querySelector("select");
      if (select && (select.value || row === moved)) { last = index; }
    });
    var rank = 0;
    rows.forEach(function (row, index) {
      var select = row.querySelector("select");
      if (!select) { return; }
      if (index <= last) {
        rank += 1;
        select.value = String(rank);
      } else {
        select.value = "";
      }
    });
  }

  function sortByRank(table) {
    var body = table.querySelector("tbody");
    var rows = Array.prototype.slice.call(body.querySelectorAll("tr[data-rank-row]"));
    if (!rows.some(function (row) { return rankOf(row) !== null; })) { return; }
    rows.sort(function (a, b) {
      var x = rankOf(a), y = rankOf(b);
      if (x === null && y === null) { return 0; }
      if (x === null) { return 1; }
      if (y === null) { return -1; }
      return x - y;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function setupRanking(table) {
    if (!once(table, "enhanced")) { return; }
    var up = table.getAttribute("data-up") || "Move up";
    var down = table.getAttribute("data-down") || "Move down";
    var head = table.querySelector("thead tr");
    if (head) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = table.getAttribute("data-order") || "Order";
      head.appendChild(th);
    }
    sortByRank(table);
    var dragged = null;
    table.querySelectorAll("tbody tr[data-rank-row]").forEach(function (row) {
      var name = row.querySelector("th").textContent.trim();
      var cell = document.createElement("td");
      cell.className = "rank-moves";
      [[up, "up", "↑"], [down, "down", "↓"]].forEach(function (spec) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "secondary rank-move";
        button.setAttribute("data-move", spec[1]);
        button.setAttribute("aria-label", spec[0] + ": " + name);
        button.textContent = spec[2];
        cell.appendChild(button);
      });
      row.appendChild(cell);
      row.draggable = true;
      row.addEventListener("dragstart", function (event) {
        dragged = row;
        row.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", name);
      });
      row.addEventListener("dragend", function () {
        row.classList.remove("dragging");
        dragged = null;
      });
      row.addEventListener("dragover", function (event) {
        if (!dragged || dragged === row) { return; }
        event.preventDefault();
        var box = row.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        row.parentNode.insertBefore(dragged, after ? row.nextSibling : row);
      });
      row.addEventListener("drop", function (event) {
        event.preventDefault();
        if (dragged) { renumber(table, dragged); }
      });
    });
    // A rank chosen in a select moves its row to its place, so the order shown is the
    // order cast (unranked rows last).
    table.addEventListener("change", function (event) {
      var select = event.target.closest("select");
      if (!select) { return; }
      sortByRank(table);
      select.focus();
    });
    table.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-move]");
      if (!button) { return; }
      var row = button.closest("tr");
      var body = row.parentNode;
      if (button.getAttribute("data-move") === "up" && row.previousElementSibling) {
        body.insertBefore(row, row.previousElementSibling);
      } else if (button.getAttribute("data-move") === "down" && row.nextElementSibling) {
        body.insertBefore(row.nextElementSibling, row);
      }
      renumber(table, row);
      button.focus();
    });
  }

  // -- The decision log's filters -----------------------------------------------------------
  // Every change sends the form (htmx), but a chapter name being typed is not a
  // filter yet: the log follows it when a suggestion is chosen, or on Enter.
  function setupFilters(form) {
    var field = form.querySelector("input[data-autocomplete]");
    if (!field || !once(form, "filters")) { return; }
    field.addEventListener("change", function (event) { event.stopPropagation(); });
    field.addEventListener("chapterhouse:chosen", function () {
      if (form.requestSubmit) { form.requestSubmit(); } else if (window.htmx) { window.htmx.trigger(form, "submit"); }
    });
  }

  // -- Wiring ---------------------------------------------------------------------------------
  function enhance(root) {
    root.querySelectorAll("form[data-multi-categories]").forEach(setupDraftForm);
    root.querySelectorAll("[data-formset-add]").forEach(setupFormset);
    root.querySelectorAll("table[data-ranking]").forEach(setupRanking);
    root.querySelectorAll("form[data-filters]").forEach(setupFilters);
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      if (!once(form, "enhanced")) { return; }
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      var source = document.querySelector(button.getAttribute("data-copy"));
      if (!source || !navigator.clipboard || !once(button, "enhanced")) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          button.textContent = button.getAttribute("data-copied") || button.textContent;
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
    tick();
    setInterval(tick, 30000);
  });

  // htmx: the server answers a refused ballot with its panel as a 200; a 400 from an
  // older page replaces the panel all the same.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (detail.xhr && detail.xhr.status === 400 && detail.elt &&
        detail.elt.closest("[data-swap-errors]")) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
  document.addEventListener("htmx:load", function (event) {
    if (event.target && event.target.querySelectorAll) { enhance(event.target); }
  });
}());
