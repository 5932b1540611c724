// Draws each [data-chart] element with Plotly (served by the app, see impact/charts) when the reader asks:
// the bundle is 1.4 MB even gzipped, too much for every visit on a phone, so each chart gets a button
// that fetches the bundle the first time one is opened. Once someone has opened a chart, later pages
// draw theirs at once (the bundle is then in their cache for a year). The figures are also in a table
// beside each chart, so pages read the same without this script or before the chart is opened.
(function () {
  "use strict";
  var source = document.currentScript && document.currentScript.getAttribute("data-plotly");
  var charts = document.querySelectorAll("[data-chart]");
  var REMEMBER = "impact.charts";  // localStorage: "open" once this browser's reader has opened a chart
  var loading = null;
  if (!source || !charts.length) {
    return;
  }

  function remembered() {
    try {
      return window.localStorage.getItem(REMEMBER) === "open";
    } catch (error) {  // storage refused (private mode, a locked-down profile): ask each time
      return false;
    }
  }
  function remember(open) {
    try {
      if (open) {
        window.localStorage.setItem(REMEMBER, "open");
      } else {
        window.localStorage.removeItem(REMEMBER);
      }
    } catch (error) {
      // nothing to keep: the buttons still work
    }
  }
  function plotly() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = source;
        script.onload = function () {
          return window.Plotly ? resolve(window.Plotly) : reject(new Error("no Plotly"));
        };
        script.onerror = function () {
          loading = null;  // a later click tries again
          script.remove();
          reject(new Error("Plotly did not load"));
        };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function setUp(element) {
    var figure = JSON.parse(element.getAttribute("data-chart"));
    var button = document.createElement("button");
    var drawn = false;
    button.type = "button";
    button.className = "button-secondary chart-toggle";
    button.setAttribute("aria-controls", element.id);
    element.parentNode.insertBefore(button, element);

    function show(open, label) {
      button.textContent = label || (open ? "Hide the chart" : "Show the chart");
      button.setAttribute("aria-expanded", open ? "true" : "false");
      element.hidden = !open;
    }
    function open() {
      if (drawn) {
        show(true);
        return;
      }
      show(false, "Loading the chart…");
      plotly().then(function (Plotly) {
        element.classList.add("chart-drawn");
        element.hidden = false;
        // No mode bar: its buttons are neither labelled nor reachable by keyboard.
        return Plotly.newPlot(element, figure.data, figure.layout, {displayModeBar: false, responsive: true});
      }).then(function () {
        drawn = true;
        show(true);
      }, function () {
        show(false, "The chart could not be loaded: try again (the table has the figures)");
      });
    }
    button.addEventListener("click", function () {
      var opening = button.getAttribute("aria-expanded") !== "true";
      remember(opening);
      if (opening) {
        open();
      } else {
        show(false);
      }
    });
    show(false);
    return open;
  }

  var openers = Array.prototype.map.call(charts, setUp);
  if (remembered()) {
    openers.forEach(function (open) { open(); });
  }
}());
