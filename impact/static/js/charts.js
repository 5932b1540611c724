// Draws each [data-chart] element with Plotly (served by the app, see impact/charts). The figures
// are also in a table beside each chart, so pages read the same without this script.
(function () {
  "use strict";
  if (!window.Plotly) {
    return;
  }
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var figure = JSON.parse(element.getAttribute("data-chart"));
    element.classList.add("chart-drawn");
    // No mode bar: its buttons are neither labelled nor reachable by keyboard.
    window.Plotly.newPlot(element, figure.data, figure.layout, {displayModeBar: false, responsive: true});
  });
}());
