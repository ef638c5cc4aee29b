import assert from "node:assert/strict";
import { test } from "node:test";

import { applyAnswer, usable, view } from "../../static/js/checkin/offline.js";

const FIELDS = [
  "id",
  "title",
  "given_name",
  "family_name",
  "native_name",
  "badge_name",
  "category_id",
  "delegation_id",
  "country",
  "organisation",
  "status",
  "reissue",
  "name_order",
];

function full(overrides = {}) {
  return {
    format: 2,
    kind: "full",
    cursor: "100",
    day: "2026-12-04",
    generated_at: "2026-12-04T01:00:00+00:00",
    event_id: 1,
    event: "asean3",
    timezone: "Asia/Bangkok",
    keys: [{ key_id: 1 }],
    categories: [
      { id: 1, name: "Delegate", colour: "#1f4e79", warning: "" },
      { id: 2, name: "VIP", colour: "#7a0000", warning: "VIP" },
    ],
    delegations: [{ id: 5, name: "Viet Nam" }],
    sessions: [{ id: 9, title: "Learning cities", signed_up_only: false }],
    fields: FIELDS,
    registrations: [
      [
        1,
        "Mr",
        "Trung Chiến",
        "Hà",
        "Hà Trung Chiến",
        "",
        1,
        5,
        "VN",
        "Son La",
        "confirmed",
        0,
        "family_first",
      ],
      [2, "", "Somchai", "Jaidee", "สมชาย ใจดี", "", 2, null, "TH", "Bangkok", "confirmed", 0, "given_first"],
    ],
    countries: { VN: "Viet Nam", TH: "Thailand" },
    checked_in_today: [[1, "2026-12-04T01:05:00+00:00", "Door A", 50]],
    room_check_ins: [[9, 2, 51]],
    ...overrides,
  };
}

function delta(overrides = {}) {
  const { registrations, countries, checked_in_today, room_check_ins, ...whole } = full();
  return {
    ...whole,
    kind: "delta",
    since: "100",
    cursor: "120",
    registrations: [],
    countries: {},
    checked_in_today: [],
    room_check_ins: [],
    undone: [],
    ...overrides,
  };
}

test("a registration is read as the person the server's answers name", () => {
  const [chien, somchai] = view(full()).registrations;
  assert.deepEqual(chien, {
    id: 1,
    name: "Mr Hà Trung Chiến",
    native_name: "Hà Trung Chiến",
    badge_name: "",
    category: "Delegate",
    category_colour: "#1f4e79",
    delegation: "Viet Nam",
    country: "VN",
    country_name: "Viet Nam",
    organisation: "Son La",
    status: "confirmed",
    warning: "",
    reissue: 0,
  });
  assert.equal(somchai.warning, "VIP");
  assert.equal(somchai.delegation, "");
  const read = view(full());
  assert.deepEqual(read.checked_in_today, [
    { registration_id: 1, checked_in_at: "2026-12-04T01:05:00+00:00", station: "Door A" },
  ]);
  assert.deepEqual(read.sessions[0].checked_in, [2]);
});

test("a name is read in the person's order; one name only alone", () => {
  const sukarno = [4, "Mr", "Sukarno", "", "", "", 1, null, "ID", "Jakarta", "confirmed", 0, "given_first"];
  const [chien, somchai, single] = view(
    full({ registrations: [...full().registrations, sukarno] }),
  ).registrations;
  assert.equal(chien.name, "Mr Hà Trung Chiến");
  assert.equal(somchai.name, "Somchai Jaidee");
  assert.equal(single.name, "Mr Sukarno");
});

test("a copy kept from before name orders reads names given name first, as they printed", () => {
  const old = full({
    fields: FIELDS.slice(0, -1),
    registrations: full().registrations.map((row) => row.slice(0, -1)),
  });
  assert.equal(view(old).registrations[0].name, "Mr Trung Chiến Hà");
});

test("a delta replaces changed rows, adds new ones and moves the cursor", () => {
  const copy = applyAnswer(
    full(),
    delta({
      registrations: [
        [
          2,
          "",
          "Somchai",
          "Jaidee",
          "สมชาย ใจดี",
          "",
          2,
          null,
          "TH",
          "Bangkok",
          "cancelled",
          1,
          "given_first",
        ],
        [3, "", "Ji-woo", "Kim", "김지우", "", 1, null, "KR", "Seoul", "confirmed", 0, "family_first"],
      ],
      countries: { KR: "South Korea" },
      checked_in_today: [[3, "2026-12-04T02:00:00+00:00", "Door B", 60]],
    }),
  );
  assert.equal(copy.cursor, "120");
  assert.deepEqual(
    copy.registrations.map((row) => [row[0], row[10], row[11]]),
    [
      [1, "confirmed", 0],
      [2, "cancelled", 1],
      [3, "confirmed", 0],
    ],
  );
  assert.equal(view(copy).registrations[2].country_name, "South Korea");
  assert.deepEqual(
    copy.checked_in_today.map((c) => c[0]),
    [1, 3],
  );
});

test("an undone check-in goes, but not a newer one of the same person", () => {
  const undone = applyAnswer(full(), delta({ undone: [50, 51] }));
  assert.deepEqual(undone.checked_in_today, []);
  assert.deepEqual(undone.room_check_ins, []);
  // The person was checked in again (check-in 70) and that reached the device first.
  const again = applyAnswer(
    full({ checked_in_today: [[1, "2026-12-04T03:00:00+00:00", "Door C", 70]] }),
    delta({ undone: [50] }),
  );
  assert.deepEqual(
    again.checked_in_today.map((c) => c[3]),
    [70],
  );
});

test("a new day starts with nobody arrived; its check-ins come with the delta", () => {
  const copy = applyAnswer(
    full(),
    delta({
      day: "2026-12-05",
      sessions: [],
      checked_in_today: [[2, "2026-12-05T01:00:00+00:00", "Door A", 80]],
    }),
  );
  assert.deepEqual(
    copy.checked_in_today.map((c) => c[0]),
    [2],
  );
  assert.deepEqual(copy.room_check_ins, []);
});

test("a delta that does not follow the copy is refused, so the whole list is fetched", () => {
  assert.throws(() => applyAnswer(full(), delta({ since: "99" })), /another cursor/);
  assert.throws(() => applyAnswer(null, delta()), /needs a copy/);
  assert.throws(() => applyAnswer(full(), { format: 1, registrations: [] }), /unknown format/);
  assert.equal(usable({ format: 1, registrations: [] }), false); // a copy saved by an older scanner
  assert.equal(usable(full()), true);
});
