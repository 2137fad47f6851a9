// o2c web: the only script, and pages work without it. It moves focus to the first field
// with an error after a form comes back, so keyboard and screen-reader users land where to act.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) {
    invalid.focus();
  }
});
