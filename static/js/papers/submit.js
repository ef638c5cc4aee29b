// The paper submission form: a live word count for the abstract, and more author rows.
// The form works without this script (the page has rows for two co-authors already).
// Rows are only ever removed from the end and added after the last, so their indexes
// stay in order and the presenting button's value names its row.

import { renumbered, wordCount } from "./fields.js";

const RENAMED = ["name", "id", "for", "aria-describedby"];

const abstract = document.querySelector("[data-word-limit]");
const counter = document.querySelector("[data-word-count]");
if (abstract && counter) {
  const limit = Number.parseInt(abstract.getAttribute("data-word-limit"), 10);
  const count = () => {
    const { over, label } = wordCount(abstract.value, limit);
    counter.textContent = label;
    counter.classList.toggle("text-danger", over);
    counter.classList.toggle("fw-semibold", over);
  };
  abstract.addEventListener("input", count);
  count();
}

const rows = document.querySelector("[data-author-rows]");
const add = document.querySelector("[data-add-author]");
if (rows && add) {
  // One empty row is enough to start with; the button adds the others.
  const all = rows.querySelectorAll("[data-author-row]");
  for (let i = all.length - 1; i > 0 && blank(all[i]) && blank(all[i - 1]); i--) all[i].remove();
  add.hidden = false;
  add.addEventListener("click", () => addRow(rows));
}

function blank(row) {
  return [...row.querySelectorAll("input:not([type=radio])")].every((input) => !input.value.trim());
}

function addRow(rows) {
  const all = rows.querySelectorAll("[data-author-row]");
  const last = all[all.length - 1];
  const index = Number.parseInt(last.querySelector("input[type=radio]").value, 10) + 1;
  const row = last.cloneNode(true);
  for (const element of row.querySelectorAll("[name], [id], [for], [aria-describedby]")) {
    for (const attribute of RENAMED) {
      if (element.hasAttribute(attribute)) {
        element.setAttribute(attribute, renumbered(element.getAttribute(attribute), index));
      }
    }
  }
  for (const input of row.querySelectorAll("input")) {
    if (input.type === "radio") {
      input.value = String(index);
      input.checked = false;
    } else {
      input.value = "";
    }
    input.classList.remove("is-invalid");
    input.removeAttribute("aria-invalid");
  }
  for (const message of row.querySelectorAll(".invalid-feedback")) message.remove();
  row.querySelector("[data-author-number]").textContent = String(all.length + 1);
  rows.appendChild(row);
  row.querySelector("input[type=text], input:not([type])").focus();
}
