import assert from "node:assert/strict";
import { test } from "node:test";

import { addMinutes, clockOf, minutesOf, refusal } from "../../static/js/agenda/schedule.js";
import { renumbered, wordCount } from "../../static/js/papers/fields.js";

test("grid stamps: differences in minutes, clock times, times after a duration", () => {
  assert.equal(minutesOf("2025-10-29T10:30") - minutesOf("2025-10-29T09:00"), 90);
  assert.equal(minutesOf("2025-10-30T00:10") - minutesOf("2025-10-29T23:50"), 20);
  assert.equal(clockOf("2025-10-29T09:05"), "09:05");
  assert.equal(addMinutes("2025-10-29T09:05", 70), "10:15");
  assert.equal(addMinutes("2025-10-29T23:30", 45), "00:15");
});

test("a refused change says why, in the editor's words or the app's", () => {
  assert.equal(refusal({ status: 200, data: { ok: true } }), null);
  assert.equal(refusal({ status: 200, data: { ok: false, error: "Room B is busy." } }), "Room B is busy.");
  assert.equal(refusal({ status: 403, data: { error: "Not allowed", message: "No." } }), "No.");
  assert.equal(refusal({ status: 502, data: {} }), "That change was not saved (error 502).");
});

test("the abstract's word count against its limit", () => {
  assert.deepEqual(wordCount("  one two\nthree ", 5), { words: 3, over: false, label: "3 of 5 words" });
  assert.deepEqual(wordCount("a b c", 2), { words: 3, over: true, label: "3 of 2 words: 1 too many" });
  assert.equal(wordCount("", 5).words, 0);
});

test("a new author row's names and ids take its index", () => {
  assert.equal(renumbered("authors-1-email", 3), "authors-3-email");
  assert.equal(renumbered("presenting-1", 3), "presenting-3");
});
