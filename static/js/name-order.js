// The registration forms' name fields: a live preview "Your name will print as: …" in the
// order chosen (or the usual one for the country and script, said beside that choice), and
// the family name put away for a person with one name only. Without this script the form
// works the same: the server applies the same defaults (conference/names.py).

import { defaultOrder, FAMILY_FIRST, formalName } from "./names.js";

// The page's words for what this script writes (data-name-words, in the page's language).
const ENGLISH = { [FAMILY_FIRST]: "(surname first)", given_first: "(surname last)", name: "Name" };

for (const box of document.querySelectorAll("[data-name-order]")) enhance(box);

function enhance(box) {
  const form = box.closest("form");
  if (!form) return;
  const rules = JSON.parse(box.getAttribute("data-name-rules"));
  const words = { ...ENGLISH, ...JSON.parse(box.getAttribute("data-name-words") || "{}") };
  const input = (name) => form.elements.namedItem(name);
  const value = (name) => input(name)?.value || "";
  const single = input("single_name");
  const family = input("family_name");
  const familyField = family?.closest(".mb-3");
  const givenLabel = form.querySelector(`label[for="${input("given_name")?.id}"]`);
  const givenText = givenLabel?.textContent || "";
  const preview = box.querySelector("[data-name-preview]");
  const usual = box.querySelector("[data-name-usual]");
  const choices = box.querySelector("fieldset");

  function update() {
    const oneName = Boolean(single?.checked);
    if (familyField) familyField.hidden = oneName;
    if (family) family.disabled = oneName; // not sent: the server expects none
    if (givenLabel) givenLabel.textContent = oneName ? words.name : givenText;
    if (choices) choices.hidden = oneName;

    const usualOrder = defaultOrder(rules, value("country"), value("native_name"));
    if (usual) usual.textContent = words[usualOrder];
    const chosen = form.querySelector('input[name="name_order"]:checked')?.value || usualOrder;
    const name = formalName(value("title"), value("given_name"), oneName ? "" : value("family_name"), chosen);
    const gotName = Boolean(value("given_name").trim() || (!oneName && value("family_name").trim()));
    preview.textContent = name;
    preview.parentElement.hidden = !gotName;
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
}
