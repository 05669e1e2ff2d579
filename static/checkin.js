// Search as you type on the check-in page. Without this file the search form still works
// (it is an ordinary GET form); this only hides the rows that do not match as you type.
// After a check-in the page comes back unfiltered, ready for the next person at the door.
(function () {
  "use strict";
  var input = document.querySelector("input[data-filter]");
  if (!input) { return; }
  var list = document.querySelector(input.getAttribute("data-filter"));
  var rows = list ? list.querySelectorAll("li[data-search]") : [];
  function apply() {
    var words = input.value.toLocaleLowerCase("nb").split(/\s+/).filter(Boolean);
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search");
      row.hidden = !words.every(function (word) { return text.indexOf(word) !== -1; });
    });
  }
  input.addEventListener("input", apply);
})();
