import assert from "node:assert/strict";
import { test } from "node:test";

import { contrast, inkOn, luminance } from "../../static/js/contrast.js";

test("luminance follows WCAG 2.1 and refuses what is not #rrggbb", () => {
  assert.equal(luminance("#000000"), 0);
  assert.equal(luminance("#FFFFFF"), 1);
  assert.equal(luminance("green"), null);
  assert.equal(luminance(""), null);
  assert.equal(luminance(null), null);
});

test("contrast gives the ratios axe and the WCAG checkers give", () => {
  assert.equal(contrast("#000000", "#ffffff"), 21);
  assert.equal(Math.round(contrast("#aaaaaa", "#ffffff") * 100) / 100, 2.32);
  assert.equal(Math.round(contrast("#1f4e79", "#ffffff") * 100) / 100, 8.66);
});

test("dark badge colours take white text, mid and light ones black, each at least 4.5:1", () => {
  assert.equal(inkOn("#1f4e79"), "#ffffff"); // Delegate
  assert.equal(inkOn("#d35400"), "#000000"); // Press: white would be 4.2:1
  assert.equal(inkOn("#9a7d0a"), "#000000"); // VIP: white would be 3.9:1
  assert.equal(inkOn("#f1c40f"), "#000000");
  assert.equal(inkOn("not a colour"), null);
  for (let v = 0; v < 256; v += 5) {
    const grey = `#${v.toString(16).padStart(2, "0").repeat(3)}`;
    assert.ok(contrast(grey, inkOn(grey)) >= 4.5, grey);
  }
});
