import assert from "node:assert/strict";
import { test } from "node:test";

import { eventClock } from "../../static/js/checkin/clock.js";

test("days and times are the event's, not the device's", () => {
  const clock = eventClock("Pacific/Auckland");
  const moment = new Date("2025-10-29T20:30:00Z"); // Thursday 09:30 in Auckland
  assert.equal(clock.eventDay(moment), "2025-10-30");
  assert.equal(clock.dayLabel(moment), "Thursday 30 October");
  assert.equal(clock.time(moment), "09:30");
});

test("a time of another day carries its date; no date reads empty", () => {
  const clock = eventClock("UTC");
  const now = new Date("2025-10-29T12:00:00Z");
  assert.equal(clock.when("2025-10-29T09:02:00Z", now), "09:02");
  assert.equal(clock.when("2025-10-28T09:02:00Z", now), "28 Oct 09:02");
  assert.equal(clock.when(undefined, now), "");
});

test("an unknown zone falls back to the device's", () => {
  assert.match(eventClock("Nowhere/Atlantis").eventDay(new Date()), /^\d{4}-\d{2}-\d{2}$/);
});
