// Suggest the event's web address from its title while the organiser has not typed one.
// The server makes the same suggestion when the field is left empty (no JavaScript needed).
(function () {
  "use strict";
  var title = document.getElementById("title");
  var slug = document.getElementById("slug");
  if (!title || !slug || slug.readOnly) {
    return;
  }
  var typed = slug.value !== "";
  slug.addEventListener("input", function () {
    typed = slug.value !== "";
  });
  title.addEventListener("input", function () {
    if (typed) {
      return;
    }
    slug.value = title.value.toLowerCase()
      .replace(/æ/g, "ae").replace(/ø/g, "o").replace(/å/g, "a")
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "")
      .slice(0, 80).replace(/-+$/, "");
  });
})();
