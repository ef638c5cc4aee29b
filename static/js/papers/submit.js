// The paper submission form: a live word count for the abstract, and more author rows.
// The form works without this script (the page has rows for two co-authors already).
// Rows are only ever removed from the end and added after the last, so their indexes
// stay in order and the presenting button's value names its row.
(function () {
  "use strict";

  var abstract = document.querySelector("[data-word-limit]");
  var counter = document.querySelector("[data-word-count]");
  if (abstract && counter) {
    var limit = parseInt(abstract.getAttribute("data-word-limit"), 10);
    var count = function () {
      var text = abstract.value.trim();
      var words = text ? text.split(/\s+/).length : 0;
      counter.textContent = words + " of " + limit + " words" +
        (words > limit ? ": " + (words - limit) + " too many" : "");
      counter.classList.toggle("text-danger", words > limit);
      counter.classList.toggle("fw-semibold", words > limit);
    };
    abstract.addEventListener("input", count);
    count();
  }

  var rows = document.querySelector("[data-author-rows]");
  var add = document.querySelector("[data-add-author]");
  if (!rows || !add) return;
  var blank = function (row) {
    return Array.prototype.every.call(row.querySelectorAll("input:not([type=radio])"), function (input) {
      return !input.value.trim();
    });
  };
  // One empty row is enough to start with; the button adds the others.
  var all = rows.querySelectorAll("[data-author-row]");
  for (var i = all.length - 1; i > 0 && blank(all[i]) && blank(all[i - 1]); i--) {
    all[i].remove();
  }
  add.hidden = false;
  add.addEventListener("click", function () {
    var all = rows.querySelectorAll("[data-author-row]");
    var last = all[all.length - 1];
    var index = parseInt(last.querySelector("input[type=radio]").value, 10) + 1;
    var row = last.cloneNode(true);
    var rename = function (value) {
      return value.replace(/authors-\d+-/g, "authors-" + index + "-").replace(/presenting-\d+/g, "presenting-" + index);
    };
    row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (element) {
      ["name", "id", "for", "aria-describedby"].forEach(function (attribute) {
        if (element.hasAttribute(attribute)) {
          element.setAttribute(attribute, rename(element.getAttribute(attribute)));
        }
      });
    });
    row.querySelectorAll("input").forEach(function (input) {
      if (input.type === "radio") {
        input.value = String(index);
        input.checked = false;
      } else {
        input.value = "";
      }
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
    });
    row.querySelectorAll(".invalid-feedback").forEach(function (message) { message.remove(); });
    row.querySelector("[data-author-number]").textContent = String(all.length + 1);
    rows.appendChild(row);
    row.querySelector("input[type=text], input:not([type])").focus();
  });
})();
