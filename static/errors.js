// After a failed submit, take the person to the error summary at the top of the page and
// give it the focus, so a screen reader reads it out. The summary carries `autofocus`
// too; this covers browsers that honour autofocus only on form fields.
(function () {
  "use strict";
  var summary = document.getElementById("feil");
  if (summary && document.activeElement !== summary) {
    summary.focus();
  }
})();
