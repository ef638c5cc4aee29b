// What the scanner decides on the device when the server cannot answer (offline, or too
// slow): green, amber or red, in the server's own words, and whether the scan waits on the
// device to be sent later. No DOM, no storage, no clock of its own: everything it weighs is
// passed in, so the rules can be read (and tested) in one place.

import { roomRefusal, sessionDayRefusal } from "./rooms.js";
import { verdictForRegistration } from "./token.js";

/** The badge verdict for a person chosen by hand (a forgotten badge), from the device's list. */
export function chosenPersonVerdict(person) {
  if (person) return verdictForRegistration(person);
  return { result: "invalid", message: "This person is not in this device's list.", registration: null };
}

/** The session of the offline list with this id, or null. */
export function offlineSession(data, id) {
  return (data?.sessions || []).find((s) => s.id === id) || null;
}

/** Whether the device's list, fetched on the scan's day, has the person arrived at the door. */
function arrivedBeforeOffline(data, personId, day, clock) {
  const arrived = (data.checked_in_today || []).some(
    (x) => (typeof x === "object" ? x.registration_id : x) === personId,
  );
  return arrived && Boolean(data.generated_at) && clock.eventDay(new Date(data.generated_at)) === day;
}

/** What the scanner shows for a scan: {colour, verdict, detail, registration, warning, offline}. */
export function screen(colour, verdict, detail, registration, extra = {}) {
  return {
    colour,
    verdict,
    detail,
    registration,
    warning: extra.warning || "",
    offline: extra.offline || "",
  };
}

function answer(colour, verdict, detail, registration, extra = {}) {
  const shown = screen(colour, verdict, detail, registration, extra);
  return { ...shown, queue: Boolean(extra.queue), markSeen: Boolean(extra.markSeen) };
}

/**
 * The device's answer to a scan, {colour, verdict, detail, registration, warning, offline,
 * queue, markSeen}: ``queue`` when the scan waits to be sent, ``markSeen`` when the device
 * must remember the person as checked in (for amber next time).
 *
 * - ``body``: the scan as it will be sent (token or registration_id, session_id, scanned_at)
 * - ``data``: the device's offline list, or null when it has none
 * - ``check``: the verdict on the badge or person (token.js verifyOffline, or
 *   chosenPersonVerdict); null when none could be made (no list, no Ed25519)
 * - ``ed25519``: whether this browser can verify badge signatures
 * - ``seen``: this device's own earlier check-in of the person, {at, station}, or null
 * - ``mode``: the mode the device remembers (its session's day when the list lacks it)
 * - ``station``, ``savedAt`` (when the list was fetched), ``signedOut``
 * - ``clock``: clock.js eventClock for the event's time zone
 */
export function offlineAnswer(
  { body, data, check, ed25519, seen, mode, station, savedAt, signedOut },
  clock,
) {
  const offlineNote = signedOut
    ? "Checked on this device: sign in again to send it."
    : "Checked on this device (offline): sent when the network returns.";
  if (!data) {
    return answer(
      "red",
      "Cannot check",
      "This device has no offline list yet: connect it to the network once.",
      null,
    );
  }
  if (body.token && !ed25519) {
    return answer(
      "red",
      "Cannot check",
      "This browser cannot verify badges offline (no Ed25519): update it or reconnect.",
      null,
    );
  }
  const session = body.session_id ? offlineSession(data, body.session_id) : null;
  if (check.result === "unknown" || check.result === "ok") {
    const person = check.registration;
    const offline = { offline: "Checked on this device (offline)." };
    // The session's day from the device's list, else from the remembered mode (a list of
    // another day does not hold it): the server refuses a session of another day too.
    const remembered = mode && mode.id === body.session_id ? mode : null;
    const wrongDay = sessionDayRefusal(session || remembered, new Date(body.scanned_at), clock);
    if (wrongDay) return answer("red", "Not today", wrongDay.message, person, offline);
    const refused = roomRefusal(session, person ? person.id : check.registrationId);
    if (refused) return answer("red", "Not signed up", refused.message, person, offline);
  }
  if (check.result === "unknown") {
    return answer("green", "Checked in", `${clock.when(body.scanned_at)} · ${station}`, null, {
      warning:
        `A genuine badge (registration ${check.registrationId}) not yet in this device's list ` +
        `from ${clock.when(savedAt)}: check the person's ID.`,
      offline: offlineNote,
      queue: true,
    });
  }
  if (check.result !== "ok") {
    return answer("red", "Refused", check.message, check.registration, {
      offline: "Checked on this device (offline).",
    });
  }
  const person = check.registration;
  const extra = { offline: offlineNote, queue: true };
  if (body.session_id && !session) {
    extra.warning = "This session is not in this device's list: sign-ups not checked.";
  }
  if (seen) {
    return answer(
      "amber",
      "Already checked in",
      `at ${clock.when(seen.at)} at ${seen.station}`,
      person,
      extra,
    );
  }
  const day = clock.eventDay(new Date(body.scanned_at));
  const arrived = body.session_id
    ? Boolean(session && (session.checked_in || []).includes(person.id))
    : arrivedBeforeOffline(data, person.id, day, clock);
  if (arrived) {
    const before = body.session_id
      ? "before this device went offline"
      : "earlier today (before this device went offline)";
    return answer("amber", "Already checked in", before, person, extra);
  }
  return answer("green", "Checked in", `${clock.when(body.scanned_at)} · ${station}`, person, {
    ...extra,
    markSeen: true,
  });
}
