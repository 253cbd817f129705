/* Tracking settings: copy buttons (button[data-copy-target="#id"]). Without JavaScript the text
   stays selectable in its read-only field. */
(function () {
  "use strict";

  function announce(button, text) {
    var status = document.getElementById(button.getAttribute("aria-describedby") || "");
    if (status) status.textContent = text;
  }

  function copy(button) {
    var source = document.querySelector(button.getAttribute("data-copy-target"));
    if (!source) return;
    var text = source.value !== undefined ? source.value : source.textContent;
    var done = function () { announce(button, button.getAttribute("data-copied-text")); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallback(source, done); });
    } else {
      fallback(source, done);
    }
  }

  function fallback(source, done) {
    if (source.select) {
      source.focus();
      source.select();
      try { if (document.execCommand("copy")) done(); } catch (e) { /* the text stays selected */ }
    }
  }

  function enable(root) {
    root.querySelectorAll("[data-copy-target]").forEach(function (button) {
      if (button.dataset.copyReady) return;
      button.dataset.copyReady = "1";
      button.hidden = false;
      button.addEventListener("click", function () { copy(button); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enable(document); });
  document.addEventListener("htmx:load", function (event) { enable(event.target); });
})();
