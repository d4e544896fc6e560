// Discussions: a reply form opened to quote a post puts the cursor after the quote;
// posts are marked read as they scroll into view.
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

  // Marking read: the server marks a page's posts read when it shows them (that is
  // all a visitor without JavaScript needs); here posts that arrive later, or that
  // the member scrolls to, move their read state forward through the list's
  // data-mark-read endpoint, at most once a second, and lose their "new" highlight.
  var pending = {};  // endpoint -> public id of the furthest post seen
  var timer = null;

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function flush() {
    timer = null;
    Object.keys(pending).forEach(function (url) {
      var body = new URLSearchParams({ post: pending[url] });
      delete pending[url];
      fetch(url, { method: "POST", body: body, credentials: "same-origin",
                   headers: { "X-CSRFToken": csrf() } }).catch(function () {});
    });
  }
  function seen(post) {
    var list = post.closest("ol[data-mark-read]");
    if (!list) { return; }
    var url = list.getAttribute("data-mark-read");
    var posts = Array.prototype.slice.call(list.querySelectorAll("li.post[data-post]"));
    var current = pending[url] && list.querySelector("li.post[data-post='" + pending[url] + "']");
    if (!current || posts.indexOf(post) > posts.indexOf(current)) {
      pending[url] = post.getAttribute("data-post");
    }
    // Read up to here: this post and every one before it (as the server counts).
    var upTo = posts.indexOf(post);
    window.setTimeout(function () {
      posts.slice(0, upTo + 1).forEach(function (earlier) { earlier.classList.remove("unread"); });
    }, 2000);
    if (!timer) { timer = window.setTimeout(flush, 1000); }
  }
  var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        seen(entry.target);
      }
    });
  }, { threshold: 0.5 }) : null;
  function watch(root) {
    if (!observer || !root.querySelectorAll) { return; }
    root.querySelectorAll("ol[data-mark-read] li.post[data-post]").forEach(function (post) {
      if (!post.hasAttribute("data-observed")) {
        post.setAttribute("data-observed", "");
        observer.observe(post);
      }
    });
  }
  window.addEventListener("pagehide", flush);

  document.addEventListener("htmx:afterSwap", function (event) {
    caretToEnd(event.detail.elt && event.detail.elt.parentNode || document);
    watch(document);
  });
  document.addEventListener("DOMContentLoaded", function () {
    caretToEnd(document);
    watch(document);
  });
})();
