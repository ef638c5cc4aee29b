import assert from "node:assert/strict";
import { test } from "node:test";

import { modeOf, roomRefusal, sessionDayRefusal, sessionLabel } from "../../static/js/checkin/rooms.js";

const session = {
  id: 5,
  title: "Workshop",
  time: "09:00–10:30",
  room: "Room B",
  starts_at: "2025-10-29T02:00:00Z",
  ends_at: "2025-10-29T03:30:00Z",
  signed_up_only: true,
  signed_up: [1],
  checked_in: [1],
};

test("a session reads with its time, room and rule", () => {
  assert.equal(sessionLabel(session), "Room: 09:00–10:30 Room B — Workshop (signed-up only)");
});

test("a mode keeps what the header and the day check need, not the lists", () => {
  assert.deepEqual(Object.keys(modeOf(session)).sort(), [
    "ends_at",
    "id",
    "room",
    "signed_up_only",
    "starts_at",
    "time",
    "title",
  ]);
});

test("only delegates who signed up enter a signed-up-only session", () => {
  assert.equal(roomRefusal(session, 1), null);
  assert.equal(roomRefusal(session, 2).result, "not_signed_up");
  assert.equal(roomRefusal({ ...session, signed_up_only: false }, 2), null);
  assert.equal(roomRefusal(null, 2), null);
});

test("a session takes check-ins on its own day only", () => {
  const clock = {
    eventDay: (d) => d.toISOString().slice(0, 10),
    dayLabel: () => "Wednesday 29 October",
    zone: "UTC",
  };
  assert.equal(sessionDayRefusal(session, new Date("2025-10-29T09:00:00Z"), clock), null);
  const refusal = sessionDayRefusal(session, new Date("2025-10-30T09:00:00Z"), clock);
  assert.equal(refusal.result, "session_not_today");
  assert.equal(sessionDayRefusal({ ...session, starts_at: null }, new Date(), clock), null);
});
