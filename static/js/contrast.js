// Text on a colour chosen by the organisers (a category's badge colour): black or white,
// whichever contrasts more with it by WCAG 2.1's formula, so at least 4.58:1 on any colour.
// Pure functions: no DOM.

const HEX = /^#([0-9a-f]{6})$/i;

/** WCAG 2.1 relative luminance of "#rrggbb", or null for anything else. */
export function luminance(colour) {
  const match = HEX.exec((colour || "").trim());
  if (!match) return null;
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = Number.parseInt(match[1].slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two "#rrggbb" colours, or null. */
export function contrast(a, b) {
  const [la, lb] = [luminance(a), luminance(b)];
  if (la === null || lb === null) return null;
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** "#000000" or "#ffffff", whichever reads better on ``colour``; null if it is no colour. */
export function inkOn(colour) {
  const onWhite = contrast(colour, "#ffffff");
  if (onWhite === null) return null;
  return contrast(colour, "#000000") > onWhite ? "#000000" : "#ffffff";
}
