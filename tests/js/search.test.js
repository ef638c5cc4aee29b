import assert from "node:assert/strict";
import { test } from "node:test";

import { searchLocal } from "../../static/js/checkin/search.js";
import { fold } from "../../static/js/fold.js";

test("folding drops diacritics and case, and spells out letters without a base", () => {
  assert.equal(fold("Chiến"), "chien");
  assert.equal(fold("Đà Nẵng"), "da nang");
  assert.equal(fold("Łódź Straße"), "lodz strasse");
  assert.equal(fold(null), "");
});

test("every word of the query must match; names that start with it come first", () => {
  const people = [
    { id: 1, name: "Anna Nguyen" },
    { id: 2, name: "Nguyễn Văn Chiến" },
    { id: 3, name: "Somchai", native_name: "สมชาย ใจดี" },
  ];
  assert.deepEqual(
    searchLocal(people, "nguyen").map((r) => r.id),
    [1, 2],
  );
  assert.deepEqual(
    searchLocal(people, "chien nguyen").map((r) => r.id),
    [2],
  );
  assert.deepEqual(
    searchLocal(people, "สมชาย").map((r) => r.id),
    [3],
  );
  assert.deepEqual(searchLocal(people, "  "), []);
});

test("a query with regular-expression characters is read as text", () => {
  assert.deepEqual(searchLocal([{ id: 1, name: "A (B)" }], "(b"), [
    { id: 1, name: "A (B)", _haystack: "a (b)" },
  ]);
});
