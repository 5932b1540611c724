// Contribution tracing: choosing one of the classic test types fills in its typical numbers.
// The form works without this: the server uses the preset when the numbers are left blank.
(function () {
  "use strict";
  var select = document.getElementById("test_type");
  var sensitivity = document.getElementById("sensitivity");
  var typeOneError = document.getElementById("type_one_error");
  if (!select || !sensitivity || !typeOneError) {
    return;
  }
  var presets = {};
  document.querySelectorAll("[data-preset]").forEach(function (row) {
    presets[row.getAttribute("data-preset")] = [row.getAttribute("data-sensitivity"),
                                                row.getAttribute("data-type-one-error")];
  });
  select.addEventListener("change", function () {
    var values = presets[select.value];
    if (values) {
      sensitivity.value = values[0];
      typeOneError.value = values[1];
    }
  });
}());
