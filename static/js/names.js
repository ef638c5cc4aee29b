// People's names in the order they write them, in the browser: the rules of
// conference/names.py (the defaults come from the server as data: order_rules()).
// Pure functions: no DOM.

import { fold } from "./fold.js";

export const GIVEN_FIRST = "given_first";
export const FAMILY_FIRST = "family_first";

/** The order a name written so implies (its first letter in one of the rules' scripts), or "". */
export function orderOfScript(rules, text) {
  for (const char of (text || "").normalize("NFC")) {
    const code = char.codePointAt(0);
    for (const [first, last, order] of rules.scripts) {
      if (first <= code && code <= last) return order;
    }
  }
  return "";
}

/** The script of the native name, else the country, else given name first. */
export function defaultOrder(rules, country, nativeName) {
  const byScript = orderOfScript(rules, nativeName);
  if (byScript) return byScript;
  const code = (country || "").trim().toUpperCase();
  return rules.family_first_countries.includes(code) ? FAMILY_FIRST : GIVEN_FIRST;
}

/** The given and family names in the person's order; one name alone when there is one. */
export function fullName(given, family, order) {
  const parts = order === FAMILY_FIRST ? [family, given] : [given, family];
  return parts
    .map((p) => (p || "").trim())
    .filter(Boolean)
    .join(" ");
}

/** The full name after the title: "Ms Nguyễn Thị Minh Khai". */
export function formalName(title, given, family, order) {
  return [(title || "").trim(), fullName(given, family, order)].filter(Boolean).join(" ");
}

function words(text) {
  return (text || "")
    .split(/\s+/)
    .map((w) => fold(w).replace(/^[.,;:()[\]"'“”‘’]+|[.,;:()[\]"'“”‘’]+$/g, ""))
    .filter(Boolean);
}

/** Two writings of one name: the same words in any order, case and diacritics aside. */
export function sameName(one, other) {
  const a = words(one).sort();
  const b = words(other).sort();
  return a.length > 0 && a.length === b.length && a.every((w, i) => w === b[i]);
}

/**
 * [the name to show, the native-script name to show beside it]: a native name that only
 * writes the same name again is shown once, in its own spelling, after the title.
 */
export function nameAndNative(name, native) {
  const n = (name || "").trim();
  const own = (native || "").trim();
  if (!own) return [n, ""];
  if (!n) return [own, ""];
  const parts = n.split(/\s+/);
  for (let start = 0; start < parts.length; start++) {
    if (sameName(parts.slice(start).join(" "), own)) return [[...parts.slice(0, start), own].join(" "), ""];
  }
  return [n, own];
}
