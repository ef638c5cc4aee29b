// The agenda editor's arithmetic and wording, without the DOM: the grid's wall-clock
// stamps ("YYYY-MM-DDTHH:MM", in the event's zone and never converted) and what a
// refused change says.

/** Minutes since the epoch of a stamp, read as if it were UTC: differences are right. */
export function minutesOf(stamp) {
  const [year, month, day, hour, minute] = [
    stamp.slice(0, 4),
    stamp.slice(5, 7),
    stamp.slice(8, 10),
    stamp.slice(11, 13),
    stamp.slice(14, 16),
  ].map(Number);
  return Date.UTC(year, month - 1, day, hour, minute) / 60000;
}

/** "09:30" of "2025-10-29T09:30". */
export function clockOf(stamp) {
  return stamp.slice(11, 16);
}

/** The wall clock ``minutes`` after a stamp, as "HH:MM" (past midnight it wraps). */
export function addMinutes(stamp, minutes) {
  const total = Number(stamp.slice(11, 13)) * 60 + Number(stamp.slice(14, 16)) + minutes;
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(Math.floor(total / 60) % 24)}:${pad(total % 60)}`;
}

/**
 * Why the server did not save a change, from its answer {status, data}; null when it did.
 * The editor's own refusals are {ok: false, error: "<why>"}; the app's other errors (403,
 * 404, 400 for a missing CSRF token...) are {error: "<title>", message: "<why>"}.
 */
export function refusal({ status, data }) {
  if (status === 200 && data?.ok) return null;
  const answer = data || {};
  const why = answer.ok === false ? answer.error : answer.message || answer.error;
  return why || `That change was not saved (error ${status}).`;
}
