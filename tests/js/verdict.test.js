import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { eventClock } from "../../static/js/checkin/clock.js";
import { chosenPersonVerdict, offlineAnswer, offlineSession } from "../../static/js/checkin/verdict.js";
import { person } from "./badges.js";

const MORNING = "2025-10-29T02:00:00Z"; // 09:00 in Bangkok, Wednesday 29 October
const clock = eventClock("Asia/Bangkok", () => new Date(MORNING));
const NEXT_DAY = "2025-10-30T02:00:00Z";
const workshop = {
  id: 5,
  title: "Workshop",
  time: "09:00–10:30",
  room: "Room B",
  starts_at: MORNING,
  signed_up_only: true,
  signed_up: [1],
  checked_in: [],
};

function list(extra = {}) {
  return {
    event_id: 7,
    generated_at: "2025-10-29T01:00:00Z",
    registrations: [person(1), person(2)],
    checked_in_today: [],
    sessions: [workshop],
    ...extra,
  };
}

/** The device's answer to a scan at ``at`` of a person whose badge checked out ``ok``. */
function decide({ check = chosenPersonVerdict(person(1)), body = {}, ...scan } = {}) {
  return offlineAnswer(
    {
      body: { registration_id: 1, session_id: null, scanned_at: MORNING, ...body },
      data: list(),
      check,
      ed25519: true,
      seen: null,
      mode: null,
      station: "Door A",
      savedAt: "2025-10-29T01:00:00Z",
      signedOut: false,
      ...scan,
    },
    clock,
  );
}

describe("the scanner's offline verdict", () => {
  test("without an offline list the device cannot check, and nothing waits", () => {
    const answer = decide({ data: null, check: null });
    assert.deepEqual([answer.colour, answer.verdict, answer.queue], ["red", "Cannot check", false]);
  });

  test("a badge cannot be checked by a browser without Ed25519", () => {
    const answer = decide({ body: { token: "AQ" }, ed25519: false, check: null });
    assert.equal(answer.verdict, "Cannot check");
    assert.match(answer.detail, /no Ed25519/);
  });

  test("a valid badge, first time: green, remembered, queued to sync", () => {
    const answer = decide();
    assert.deepEqual(
      [answer.colour, answer.verdict, answer.detail, answer.queue, answer.markSeen],
      ["green", "Checked in", "09:00 · Door A", true, true],
    );
    assert.equal(answer.offline, "Checked on this device (offline): sent when the network returns.");
  });

  test("signed out, the scan still waits, and the note says to sign in", () => {
    assert.equal(decide({ signedOut: true }).offline, "Checked on this device: sign in again to send it.");
  });

  test("already checked in on this device: amber with when and where, queued as a duplicate", () => {
    const answer = decide({ seen: { at: "2025-10-29T01:30:00Z", station: "Door B" } });
    assert.deepEqual(
      [answer.colour, answer.detail, answer.queue, answer.markSeen],
      ["amber", "at 08:30 at Door B", true, false],
    );
  });

  test("arrived at the door before the device went offline: amber", () => {
    const arrived = decide({ data: list({ checked_in_today: [{ registration_id: 1 }] }) });
    assert.deepEqual(
      [arrived.colour, arrived.detail],
      ["amber", "earlier today (before this device went offline)"],
    );
  });

  test("yesterday's list of arrivals does not make today's scan amber", () => {
    const answer = decide({
      data: list({ checked_in_today: [1] }),
      body: { scanned_at: NEXT_DAY },
    });
    assert.equal(answer.colour, "green");
  });

  test("cancelled, rejected or unconfirmed: red, not queued", () => {
    const check = chosenPersonVerdict(person(1, { status: "cancelled" }));
    const answer = decide({ check });
    assert.deepEqual(
      [answer.colour, answer.verdict, answer.detail, answer.queue],
      ["red", "Refused", "This registration is cancelled.", false],
    );
    assert.equal(answer.offline, "Checked on this device (offline).");
  });

  test("a person chosen by hand but not in the list is refused", () => {
    const answer = decide({ check: chosenPersonVerdict(undefined) });
    assert.deepEqual([answer.colour, answer.detail], ["red", "This person is not in this device's list."]);
  });

  test("a genuine badge not yet in the list: green with a warning to check the ID", () => {
    const check = { result: "unknown", message: "", registration: null, registrationId: 42 };
    const answer = decide({ check });
    assert.deepEqual([answer.colour, answer.registration, answer.queue], ["green", null, true]);
    assert.match(answer.warning, /registration 42\) not yet in this device's list from 08:00/);
  });

  test("a session for signed-up delegates only refuses the others", () => {
    const answer = decide({
      check: chosenPersonVerdict(person(2)),
      body: { registration_id: 2, session_id: 5 },
    });
    assert.deepEqual([answer.colour, answer.verdict, answer.queue], ["red", "Not signed up", false]);
    assert.equal(decide({ body: { session_id: 5 } }).colour, "green");
  });

  test("a session of another day is refused, from the remembered mode when the list lacks it", () => {
    const data = list({ sessions: [] });
    const mode = { ...workshop, signed_up_only: false };
    const answer = decide({ data, mode, body: { session_id: 5, scanned_at: NEXT_DAY } });
    assert.equal(answer.verdict, "Not today");
    assert.equal(
      answer.detail,
      "“Workshop” is on Wednesday 29 October (09:00–10:30, Asia/Bangkok), not today: choose one of today's sessions.",
    );
  });

  test("a session missing from the list: green, with a warning that sign-ups were not checked", () => {
    const answer = decide({ data: list({ sessions: [] }), body: { session_id: 9 } });
    assert.equal(answer.colour, "green");
    assert.equal(answer.warning, "This session is not in this device's list: sign-ups not checked.");
  });

  test("already checked into the session before going offline: amber", () => {
    const data = list({ sessions: [{ ...workshop, checked_in: [1] }] });
    const answer = decide({ data, body: { session_id: 5 } });
    assert.deepEqual([answer.colour, answer.detail], ["amber", "before this device went offline"]);
  });

  test("sessions are found by id in the list", () => {
    assert.equal(offlineSession(list(), 5).title, "Workshop");
    assert.equal(offlineSession(list(), 6), null);
    assert.equal(offlineSession(null, 5), null);
  });
});
