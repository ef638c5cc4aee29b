// Room check-in: the scanner's mode is the entrance (once per day) or one of today's sessions
// (once per session). Sessions for signed-up delegates only refuse everyone else, with the
// server's own words (conference/checkin/services.py not_signed_up_message), so a refusal
// reads the same online and offline.

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

/** What a mode remembers about its session, so the header reads right before any data. */
export function modeOf(session) {
  const { id, title, time, room, signed_up_only: signedUpOnly } = session;
  return { id, title, time, room, signed_up_only: signedUpOnly };
}

/**
 * The device's verdict on letting ``person`` into ``session`` (from the offline data):
 * null when they may enter, else {result, message}. A person missing from the device's
 * list of sign-ups is refused, as the server would refuse someone missing from its own.
 */
export function roomRefusal(session, personId) {
  if (!session || !session.signed_up_only) return null;
  if ((session.signed_up || []).includes(personId)) return null;
  return { result: "not_signed_up", message: notSignedUpMessage(session.title) };
}
