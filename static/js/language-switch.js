// Switching language keeps what the person typed. Each entry of the language switcher
// (base.html) is this very page in another language; before the browser follows it, the
// values of the page's forms are kept in this tab's sessionStorage, and the page put back
// in the new language fills them in again (once: the copy is removed as it is read).
// Passwords, files and the forms' hidden fields (CSRF tokens) are never kept. Without this
// module the switch still works; only what was typed is lost.

const KEY = "language-switch:forms";
const MAX_AGE_MS = 10 * 60 * 1000; // a copy left by a switch that never loaded is ignored
const NOT_KEPT = new Set(["password", "file", "hidden", "submit", "button", "reset", "image"]);

function kept(element) {
  return element.name && !NOT_KEPT.has(element.type) && !element.disabled;
}

function formValues(form) {
  const values = [];
  for (const element of form.elements) {
    if (!kept(element)) continue;
    if (element.type === "checkbox" || element.type === "radio") {
      values.push({ name: element.name, value: element.value, checked: element.checked });
    } else if (element.type === "select-multiple") {
      const chosen = [...element.options].filter((option) => option.selected).map((option) => option.value);
      values.push({ name: element.name, chosen });
    } else {
      values.push({ name: element.name, value: element.value });
    }
  }
  return values;
}

function keepForms() {
  const forms = [...document.forms].map(formValues);
  if (!forms.some((values) => values.length)) return;
  try {
    sessionStorage.setItem(KEY, JSON.stringify({ path: location.pathname, at: Date.now(), forms }));
  } catch {
    // Storage full or refused (a private window): the switch goes on without the values.
  }
}

function restore(form, values) {
  const changed = new Set();
  for (const saved of values) {
    const elements = [...form.elements].filter((element) => element.name === saved.name && kept(element));
    for (const element of elements) {
      if (element.type === "checkbox" || element.type === "radio") {
        if (element.value !== saved.value || element.checked === saved.checked) continue;
        element.checked = saved.checked;
      } else if (element.type === "select-multiple") {
        for (const option of element.options) option.selected = saved.chosen.includes(option.value);
      } else if (element.value !== saved.value) {
        element.value = saved.value;
      } else {
        continue;
      }
      changed.add(element);
    }
  }
  // The page's own scripts (parts shown when a box is ticked, the name's preview) follow.
  for (const element of changed) {
    element.dispatchEvent(new Event("input", { bubbles: true }));
    element.dispatchEvent(new Event("change", { bubbles: true }));
  }
}

function restoreForms() {
  let saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
    sessionStorage.removeItem(KEY);
  } catch {
    return;
  }
  if (!saved || saved.path !== location.pathname || Date.now() - saved.at > MAX_AGE_MS) return;
  const forms = [...document.forms];
  saved.forms.forEach((values, index) => {
    if (forms[index]) restore(forms[index], values);
  });
}

document.addEventListener("click", (event) => {
  if (event.target.closest?.("a[data-language-switch]")) keepForms();
});

restoreForms();
