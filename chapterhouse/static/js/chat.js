/* A chat room, live: connects to the room's socket, appends new messages, sends the
   form's message over the socket, and reconnects with backoff, resuming after the last
   message seen (the server sends what was missed, once, in order). Without this file
   the room still works: the form posts and the page reloads. */
(function () {
  "use strict";
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  if (!log || !form || !("WebSocket" in window)) return;
  var status = document.getElementById("latest");
  var errorBox = document.getElementById("chat-error");
  var textarea = form.querySelector("textarea");
  var lastId = parseInt(log.dataset.lastId || "0", 10) || 0;
  var socket = null;
  var delay = 500;
  var pending = [];

  function text(el, value) { el.textContent = value; return el; }

  function render(m, li) {
    li = li || document.createElement("li");
    li.className = "chat-message" + (m.author_id === log.dataset.me ? " mine" : "");
    li.id = "m" + m.id;
    li.dataset.id = m.id;
    li.textContent = "";
    var header = document.createElement("header");
    header.className = "muted";
    var who = text(document.createElement("bdi"), m.author || log.dataset.former);
    if (m.author_url) {
      var link = document.createElement("a");
      link.href = m.author_url;
      link.appendChild(who);
      who = link;
    }
    header.appendChild(who);
    header.appendChild(document.createTextNode(" "));
    var when = document.createElement("time");
    when.setAttribute("datetime", m.created_at);
    try {
      when.textContent = new Date(m.created_at).toLocaleString(
        document.documentElement.lang || undefined, { dateStyle: "long", timeStyle: "short" });
    } catch (e) { when.textContent = new Date(m.created_at).toLocaleString(); }
    header.appendChild(when);
    if (m.edited && m.state === "shown") {
      header.appendChild(document.createTextNode(" "));
      header.appendChild(text(document.createElement("span"), log.dataset.edited)).className = "edited";
    }
    li.appendChild(header);
    var body = document.createElement("div");
    if (m.state === "shown") {
      body.className = "chat-body";
      body.setAttribute("dir", "auto");
      body.innerHTML = m.html; // sanitised on the server (lib/markdown.py, nh3)
    } else {
      body.className = "chat-body removed muted";
      body.textContent = m.state === "deleted" ? log.dataset.deleted
        : log.dataset.hidden + " " + m.hidden_reason;
    }
    li.appendChild(body);
    return li;
  }

  function insert(m) {
    if (document.getElementById("m" + m.id)) return;
    var empty = log.querySelector(".chat-empty");
    if (empty) empty.remove();
    var li = render(m);
    // In order of id, whatever order they arrive in.
    var after = null;
    var items = log.querySelectorAll("li.chat-message");
    for (var i = items.length - 1; i >= 0; i--) {
      if (parseInt(items[i].dataset.id, 10) < m.id) { after = items[i]; break; }
    }
    if (after) after.after(li); else log.prepend(li);
    if (m.id > lastId) lastId = m.id;
    li.scrollIntoView({ block: "end" });
  }

  function update(m) {
    var li = document.getElementById("m" + m.id);
    if (li) render(m, li);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + log.dataset.socket);
    socket.onopen = function () {
      delay = 500;
      status.textContent = "";
      log.dataset.connected = "1";
      socket.send(JSON.stringify({ type: "resume", after: lastId }));
      while (pending.length) socket.send(pending.shift());
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === "message") insert(frame.message);
      else if (frame.type === "update") update(frame.message);
      else if (frame.type === "error") errorBox.textContent = frame.error;
    };
    socket.onclose = function (event) {
      socket = null;
      log.dataset.connected = "0";
      if (event.code === 4403) { form.hidden = true; return; }
      status.textContent = log.dataset.offline;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  form.addEventListener("submit", function (event) {
    var value = textarea.value;
    if (!value.trim()) return; // the server says what is wrong
    event.preventDefault();
    errorBox.textContent = "";
    var frame = JSON.stringify({ type: "message", text: value });
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(frame);
    else pending.push(frame);
    textarea.value = "";
    textarea.focus();
  });
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  connect();
  var latest = log.lastElementChild;
  if (latest) latest.scrollIntoView({ block: "end" });
})();
