import assert from "node:assert/strict";
import { test } from "node:test";

import {
  defaultOrder,
  FAMILY_FIRST,
  formalName,
  fullName,
  GIVEN_FIRST,
  nameAndNative,
  sameName,
} from "../../static/js/names.js";

// A part of conference/names.py's order_rules(), as the form receives it.
const RULES = {
  family_first_countries: ["CN", "HU", "JP", "KH", "KR", "VN"],
  scripts: [
    [0x0e00, 0x0e7f, GIVEN_FIRST],
    [0x1780, 0x17ff, FAMILY_FIRST],
    [0x1ea0, 0x1ef9, FAMILY_FIRST],
    [0x4e00, 0x9fff, FAMILY_FIRST],
  ],
};

test("the default order comes from the native name's script, else the country", () => {
  assert.equal(defaultOrder(RULES, "VN", ""), FAMILY_FIRST);
  assert.equal(defaultOrder(RULES, "vn", ""), FAMILY_FIRST);
  assert.equal(defaultOrder(RULES, "TH", ""), GIVEN_FIRST);
  assert.equal(defaultOrder(RULES, "ID", ""), GIVEN_FIRST);
  assert.equal(defaultOrder(RULES, "", ""), GIVEN_FIRST);
  assert.equal(defaultOrder(RULES, "SG", "李显龙"), FAMILY_FIRST);
  assert.equal(defaultOrder(RULES, "US", "Nguyễn Văn An"), FAMILY_FIRST);
  assert.equal(defaultOrder(RULES, "CN", "สมชาย ใจดี"), GIVEN_FIRST);
  // Decomposed input (as some keyboards type it) is read as the same letters.
  assert.equal(defaultOrder(RULES, "US", "Nguye\u0302\u0303n"), FAMILY_FIRST);
});

test("names are composed in the person's order; one name only alone", () => {
  assert.equal(fullName("Thị Minh Khai", "Nguyễn", FAMILY_FIRST), "Nguyễn Thị Minh Khai");
  assert.equal(fullName("Somchai", "Jaidee", GIVEN_FIRST), "Somchai Jaidee");
  assert.equal(fullName("Somchai", "Jaidee", undefined), "Somchai Jaidee");
  assert.equal(fullName("Sukarno", "", FAMILY_FIRST), "Sukarno");
  assert.equal(formalName("Ms", "Thị Minh Khai", "Nguyễn", FAMILY_FIRST), "Ms Nguyễn Thị Minh Khai");
  assert.equal(formalName("", " Sukarno ", null, GIVEN_FIRST), "Sukarno");
});

test("one name written twice is shown once, in its native spelling, after the title", () => {
  assert.ok(sameName("Nguyen Thi Minh Khai", "Thị Minh Khai Nguyễn"));
  assert.ok(!sameName("Nguyễn Thị Minh", "Nguyễn Thị Minh Khai"));
  assert.ok(!sameName("", ""));
  assert.deepEqual(nameAndNative("Ms Thị Minh Khai Nguyễn", "Nguyễn Thị Minh Khai"), [
    "Ms Nguyễn Thị Minh Khai",
    "",
  ]);
  assert.deepEqual(nameAndNative("Mr Sakchai Thongdee", "ศักดิ์ชัย ทองดี"), ["Mr Sakchai Thongdee", "ศักดิ์ชัย ทองดี"]);
  assert.deepEqual(nameAndNative("", "李伟"), ["李伟", ""]);
  assert.deepEqual(nameAndNative("Li Wei", ""), ["Li Wei", ""]);
});
