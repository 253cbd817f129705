/* Performance tab: the Contacts & sessions chart (plotly, served locally) and the asset
   reports' Collapse all / Expand all. Re-runs after every htmx swap. */
(function () {
  "use strict";

  var METRICS = ["new_contacts", "influenced_contacts", "sessions"];
  var DASHES = { new_contacts: "solid", influenced_contacts: "dash", sessions: "dot" };

  function hoverText(point, metric) {
    var bySource = (point.by_source || {})[metric] || {};
    var lines = Object.keys(bySource).sort().map(function (source) {
      return source.replace(/_/g, " ") + ": " + bySource[source];
    });
    return lines.join("<br>");
  }

  function drawChart(root) {
    var holder = root.querySelector("[data-chart='contacts-sessions']");
    var data = root.querySelector("#contacts-sessions-data");
    if (!holder || !data || typeof window.Plotly === "undefined") return;
    var points = JSON.parse(data.textContent);
    var labels = JSON.parse(holder.dataset.labels);
    var traces = METRICS.map(function (metric) {
      return {
        type: "scatter",
        mode: "lines+markers",
        name: labels[metric],
        x: points.map(function (p) { return p.bucket; }),
        y: points.map(function (p) { return p[metric]; }),
        text: points.map(function (p) { return hoverText(p, metric); }),
        hovertemplate: "<b>%{fullData.name}</b>: %{y}<br>%{text}<extra></extra>",
        line: { dash: DASHES[metric] },
      };
    });
    window.Plotly.react(holder, traces, {
      margin: { t: 10, r: 10, b: 40, l: 40 },
      height: 320,
      legend: { orientation: "h" },
      xaxis: { type: "category" },
      yaxis: { rangemode: "tozero" },
    }, { displaylogo: false, responsive: true });
  }

  function drawAssetChart(root) {
    var holder = root.querySelector("[data-chart='asset-daily']");
    var data = root.querySelector("#asset-daily-data");
    if (!holder || !data || typeof window.Plotly === "undefined") return;
    var points = JSON.parse(data.textContent);
    window.Plotly.react(holder, [{
      type: "bar",
      name: holder.dataset.label,
      x: points.map(function (p) { return p.bucket; }),
      y: points.map(function (p) { return p.total; }),
      text: points.map(function (p) {
        return Object.keys(p.by_type).sort().map(function (t) {
          return t.replace(/_/g, " ") + ": " + p.by_type[t];
        }).join("<br>");
      }),
      hovertemplate: "%{x}: %{y}<br>%{text}<extra></extra>",
      textposition: "none",
    }], {
      margin: { t: 10, r: 10, b: 40, l: 40 }, height: 280, xaxis: { type: "category" },
    }, { displaylogo: false, responsive: true });
  }

  function toggleAssets(event) {
    var button = event.target.closest("[data-assets-toggle]");
    if (!button) return;
    var open = button.dataset.assetsToggle === "expand";
    var section = button.closest(".performance-report") || document;
    section.querySelectorAll("details.asset-report").forEach(function (d) { d.open = open; });
  }

  function copyUrl(event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var field = document.getElementById(button.dataset.copyTarget);
    if (!field) return;
    var done = function () {
      var status = document.getElementById(button.dataset.copyStatus);
      if (status) status.textContent = button.dataset.copiedText || "Copied";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        field.select(); document.execCommand("copy"); done();
      });
    } else {
      field.select(); document.execCommand("copy"); done();
    }
  }

  function drawAll() { drawChart(document); drawAssetChart(document); }
  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
  document.addEventListener("click", toggleAssets);
  document.addEventListener("click", copyUrl);
})();
