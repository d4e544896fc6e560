// Live notices for a signed-in member (notifications/consumers.py): the header's unread
// count and the notices page update without a reload. Where WebSockets fail, the count
// is polled every minute (/notifications/unread.json). A new notice shows as a browser
// notification if the member allowed it (the button on the email settings page).
(function () {
  "use strict";
  var script = document.currentScript;
  var pollUrl = script.getAttribute("data-poll");
  var socketPath = script.getAttribute("data-socket");
  var POLL_MS = 60000;
  var failures = 0, everOpen = false, polling = null, seen = {};

  function badge(holder, hidden) {
    var found = holder.querySelector(".badge");
    if (!found) {
      found = document.createElement("span");
      found.className = "badge";
      if (hidden) { found.setAttribute("aria-hidden", "true"); }
      holder.appendChild(document.createTextNode(" "));
      holder.appendChild(found);
    }
    return found;
  }
  function setCount(count, label) {
    document.querySelectorAll("a.notices-link, summary.menu-button").forEach(function (holder) {
      var isMenu = holder.tagName === "SUMMARY";
      var shown = badge(holder, isMenu);
      shown.textContent = String(count);
      shown.hidden = !count;
      if (!isMenu && label) { shown.setAttribute("aria-label", label); }
    });
    document.documentElement.setAttribute("data-unread", String(count));
  }
  // A private message in another conversation than the one shown: one more unread in the
  // header's Messages link (its exact count comes with the next page).
  function addMessage() {
    document.querySelectorAll("a.messages-link").forEach(function (holder) {
      var shown = badge(holder, false);
      shown.textContent = String((parseInt(shown.textContent, 10) || 0) + 1);
      shown.hidden = false;
    });
  }
  function addNotice(notice) {
    var list = document.querySelector("ul.notices");
    if (!list || document.getElementById("notice-" + notice.id)) { return; }
    var item = document.createElement("li");
    item.className = "notice unread";
    item.id = "notice-" + notice.id;
    var label = list.getAttribute("data-new-label");
    if (label) {
      var fresh = document.createElement("span");
      fresh.className = "badge";
      fresh.textContent = label;
      item.appendChild(fresh);
      item.appendChild(document.createTextNode(" "));
    }
    var body = document.createElement(notice.url ? "a" : "span");
    if (notice.url) { body.href = notice.url; }
    body.textContent = notice.text;  // text, never HTML
    item.appendChild(body);
    list.insertBefore(item, list.firstChild);
  }
  function tell(notice) {
    if (seen[notice.id]) { return; }
    seen[notice.id] = true;
    addNotice(notice);
    if ("Notification" in window && Notification.permission === "granted" &&
        document.visibilityState !== "visible") {
      var shown = new Notification(notice.text);
      shown.onclick = function () { window.focus(); if (notice.url) { location.href = notice.url; } };
    }
  }
  function poll() {
    fetch(pollUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        setCount(data.unread, data.label);
        data.notices.slice().reverse().forEach(function (notice) {
          if (!notice.read) { addNotice(notice); }
        });
      })
      .catch(function () {});
  }
  function startPolling() {
    if (!polling) { polling = setInterval(poll, POLL_MS); }
  }
  function connect() {
    if (!("WebSocket" in window)) { startPolling(); return; }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket;
    try { socket = new WebSocket(scheme + location.host + socketPath); }
    catch (error) { startPolling(); return; }
    socket.onopen = function () {
      everOpen = true; failures = 0;
      if (polling) { clearInterval(polling); polling = null; }
    };
    socket.onmessage = function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (error) { return; }
      if (typeof data.unread === "number") { setCount(data.unread, data.label); }
      if (data.type === "notice" && data.notice) { tell(data.notice); }
      if (data.type === "conversation.message" && data.url !== location.pathname) {
        addMessage();
      }
      document.dispatchEvent(new CustomEvent("live:" + data.type, {detail: data}));
    };
    socket.onclose = function () {
      failures += 1;
      if (failures >= 3 || !everOpen) { startPolling(); }
      setTimeout(connect, Math.min(30000, 1000 * Math.pow(2, failures)));
    };
  }

  function offerBrowserNotices() {
    var section = document.getElementById("browser-notices");
    if (!section || !("Notification" in window)) { return; }
    var button = section.querySelector("[data-browser-notices]");
    var state = section.querySelector("[data-browser-notices-state]");
    function show() {
      state.textContent = section.getAttribute("data-" + Notification.permission) || "";
      button.hidden = Notification.permission !== "default";
    }
    section.hidden = false;
    show();
    button.addEventListener("click", function () {
      Notification.requestPermission().then(show);
    });
  }

  connect();
  document.addEventListener("DOMContentLoaded", offerBrowserNotices);
})();
