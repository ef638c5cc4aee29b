// The paper submission form's rules, without the DOM: the abstract's word count and the
// field names of a new author row.

/** How many words the abstract has, and how it reads against the limit. */
export function wordCount(text, limit) {
  const trimmed = (text || "").trim();
  const words = trimmed ? trimmed.split(/\s+/).length : 0;
  const over = words > limit;
  const label = `${words} of ${limit} words${over ? `: ${words - limit} too many` : ""}`;
  return { words, over, label };
}

/** A field name, id or label target of one author row, renamed for the row at ``index``. */
export function renumbered(value, index) {
  return value
    .replace(/authors-\d+-/g, `authors-${index}-`)
    .replace(/presenting-\d+/g, `presenting-${index}`);
}
