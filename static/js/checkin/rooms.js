// Room check-in: the scanner's mode is the entrance (once per day) or one of today's sessions
// (once per session). A session takes check-ins only on the event-local day it starts on, and
// sessions for signed-up delegates only refuse everyone else, with the server's own words
// (conference/checkin/services.py session_not_today_message, not_signed_up_message), so a
// refusal reads the same online and offline.

/** The refusal message for a session that admits only delegates who signed up. */
export function notSignedUpMessage(title) {
  return `Not signed up for “${title}”: this session admits only delegates who signed up.`;
}

/** "Room: 09:00–10:30 Room B — Title": how a session reads in the list of modes. */
export function sessionLabel(session) {
  const where = [session.time, session.room].filter(Boolean).join(" ");
  const only = session.signed_up_only ? " (signed-up only)" : "";
  return `Room: ${where} — ${session.title}${only}`;
}

/** What a mode remembers about its session: the header reads right before any data, and its
 * day is known even when the device's list is of another day. */
export function modeOf(session) {
  const { id, title, time, room } = session;
  const { signed_up_only: signedUpOnly, starts_at: startsAt, ends_at: endsAt } = session;
  return { id, title, time, room, signed_up_only: signedUpOnly, starts_at: startsAt, ends_at: endsAt };
}

/** The refusal message for a session of another day; ``day`` reads "Wednesday 30 October". */
export function sessionNotTodayMessage(title, day, time, zone) {
  return `“${title}” is on ${day} (${time}, ${zone}), not today: choose one of today's sessions.`;
}

/**
 * The device's verdict on a scan made at ``scannedAt`` into ``session``: null when the session
 * starts on the scan's event-local day (or its day is unknown), else {result, message}.
 * ``eventDay`` and ``dayLabel`` turn a Date into the event-local YYYY-MM-DD and its words.
 */
export function sessionDayRefusal(session, scannedAt, { eventDay, dayLabel, zone }) {
  if (!session?.starts_at) return null;
  const starts = new Date(session.starts_at);
  if (Number.isNaN(starts.getTime()) || eventDay(starts) === eventDay(scannedAt)) return null;
  return {
    result: "session_not_today",
    message: sessionNotTodayMessage(session.title, dayLabel(starts), session.time, zone),
  };
}

/**
 * The device's verdict on letting ``person`` into ``session`` (from the offline data):
 * null when they may enter, else {result, message}. A person missing from the device's
 * list of sign-ups is refused, as the server would refuse someone missing from its own.
 */
export function roomRefusal(session, personId) {
  if (!session?.signed_up_only) return null;
  if ((session.signed_up || []).includes(personId)) return null;
  return { result: "not_signed_up", message: notSignedUpMessage(session.title) };
}
