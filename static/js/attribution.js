/* Attribution tab and its dashboard cards: one plotly chart per results block (series = models,
   bar or line), drawn from the JSON next to it. Re-runs after every htmx swap. */
(function () {
  "use strict";

  function draw(holder) {
    var data = holder.nextElementSibling;
    if (!data || data.type !== "application/json" || typeof window.Plotly === "undefined") return;
    var chart = JSON.parse(data.textContent);
    var line = holder.dataset.kind === "line";
    var patterns = ["", "/", "x", "."];
    var dashes = ["solid", "dash", "dot", "dashdot"];
    var traces = chart.series.map(function (series, i) {
      return {
        marker: line ? undefined : { pattern: { shape: patterns[i % 4] } },
        line: line ? { dash: dashes[i % 4] } : undefined,
        type: line ? "scatter" : "bar",
        mode: line ? "lines+markers" : undefined,
        name: series.name,
        x: chart.labels,
        y: series.values,
        hovertemplate: "<b>%{fullData.name}</b><br>%{x}: %{y:.2f}<extra></extra>",
      };
    });
    window.Plotly.react(holder, traces, {
      margin: { t: 10, r: 10, b: 80, l: 50 },
      height: 320,
      barmode: "group",
      legend: { orientation: "h", y: 1.15 },
      xaxis: { type: "category", automargin: true },
      yaxis: { rangemode: "tozero", title: { text: chart.axis } },
    }, { displaylogo: false, responsive: true });
  }

  function drawAll() {
    document.querySelectorAll("[data-chart='attribution']").forEach(draw);
  }
  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
})();
