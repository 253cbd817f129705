/* Touchpoint: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // Formsets: a button[data-formset-add="#tbody"][data-formset-template="#template"] appends a
  // copy of the formset's empty form (its __prefix__ replaced by the next index) and focuses it.
  function enableFormsetAdd(root) {
    root.querySelectorAll("[data-formset-add]").forEach(function (button) {
      if (button.dataset.formsetReady) return;
      button.dataset.formsetReady = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var rows = document.querySelector(button.dataset.formsetAdd);
        var template = document.querySelector(button.dataset.formsetTemplate);
        var prefix = rows.dataset.formsetPrefix;
        var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
        var index = parseInt(total.value, 10);
        var html = template.innerHTML.replace(/__prefix__/g, String(index));
        rows.insertAdjacentHTML("beforeend", html);
        total.value = String(index + 1);
        var first = rows.lastElementChild.querySelector("input:not([type=hidden]), select");
        if (first) first.focus();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enableFormsetAdd(document); });
  document.addEventListener("htmx:load", function (event) { enableFormsetAdd(event.target); });
})();
