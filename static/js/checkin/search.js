// Finding a person by name on the device (offline), in any script, diacritics ignored:
// "chien" finds "Chiến", "da nang" finds "Đà Nẵng", "สมชาย" finds "สมชาย ใจดี".
// Both sides are folded the same way (../fold.js): names, the name on the badge, delegation
// and organisation (the device keeps no e-mail addresses).

import { fold } from "../fold.js";

function haystack(r) {
  return fold([r.name, r.native_name, r.badge_name, r.delegation, r.organisation].filter(Boolean).join(" "));
}

/** Registrations whose names contain every word of the query, best (prefix) matches first. */
export function searchLocal(registrations, query, limit = 20) {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  const scored = [];
  for (const r of registrations) {
    if (!r._haystack) r._haystack = haystack(r);
    if (!words.every((w) => r._haystack.includes(w))) continue;
    const name = fold(`${r.name} ${r.native_name || ""}`);
    const score = words.reduce(
      (s, w) => s + (new RegExp(`(^|\\s)${escapeRegExp(w)}`, "u").test(name) ? 2 : name.includes(w) ? 1 : 0),
      0,
    );
    scored.push([score, r]);
  }
  scored.sort((a, b) => b[0] - a[0] || a[1].name.localeCompare(b[1].name));
  return scored.slice(0, limit).map(([, r]) => r);
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
