// The scanner's copy of the event's offline list (conference/checkin/offline.py): kept as
// the server sends it (registrations as compact rows), brought up to date by deltas, and
// read as people for the verdicts. No DOM, no storage: plain data in, plain data out.
//
// A copy is a "full" answer: {format, cursor, day, generated_at, keys, categories,
// delegations, sessions, fields, registrations: [row], countries: {code: name},
// checked_in_today: [[registration_id, at, station, check_in_id]],
// room_check_ins: [[session_id, registration_id, check_in_id]]}.
// A delta brings the same lists with only what changed since its "since" (registrations,
// check-ins), the small lists whole, and "undone": the ids of check-ins taken away.

import { formalName } from "../names.js";

export const FORMAT = 2;

/** Whether a saved copy can be brought up to date (an older format cannot). */
export function usable(copy) {
  return Boolean(copy && copy.format === FORMAT && copy.cursor && Array.isArray(copy.registrations));
}

const WHOLE = [
  "format",
  "cursor",
  "day",
  "generated_at",
  "event_id",
  "event",
  "timezone",
  "keys",
  "categories",
  "delegations",
  "sessions",
  "fields",
];

/**
 * The copy after an answer of the offline endpoint: a full list replaces the copy; a delta
 * is applied to it. Throws when a delta cannot apply (no copy, another format, or not
 * following this copy's cursor): the scanner then asks for the full list.
 */
export function applyAnswer(copy, answer) {
  if (!answer || answer.format !== FORMAT) throw new Error("offline list: unknown format");
  if (answer.kind === "full") return { ...answer };
  if (!usable(copy)) throw new Error("offline list: a delta needs a copy");
  if (answer.since !== copy.cursor) throw new Error("offline list: delta for another cursor");
  if (answer.fields.join() !== copy.fields.join()) throw new Error("offline list: fields changed");
  const next = { ...copy };
  for (const key of WHOLE) next[key] = answer[key];
  next.kind = "full";

  const registrations = copy.registrations.slice();
  const at = new Map(registrations.map((row, index) => [row[0], index]));
  for (const row of answer.registrations) {
    const index = at.get(row[0]);
    if (index === undefined) {
      at.set(row[0], registrations.length);
      registrations.push(row);
    } else {
      registrations[index] = row;
    }
  }
  next.registrations = registrations;
  next.countries = { ...copy.countries, ...answer.countries };

  // A new day starts with nobody arrived; check-ins of the day all follow the cursor.
  const sameDay = answer.day === copy.day;
  const undone = new Set(answer.undone || []);
  const doors = new Map();
  for (const item of sameDay ? copy.checked_in_today : []) {
    if (!undone.has(item[3])) doors.set(item[0], item);
  }
  for (const item of answer.checked_in_today) doors.set(item[0], item);
  next.checked_in_today = [...doors.values()];

  const today = new Set(answer.sessions.map((s) => s.id));
  const rooms = new Map();
  for (const item of sameDay ? copy.room_check_ins : []) {
    if (!undone.has(item[2]) && today.has(item[0])) rooms.set(`${item[0]}:${item[1]}`, item);
  }
  for (const item of answer.room_check_ins) rooms.set(`${item[0]}:${item[1]}`, item);
  next.room_check_ins = [...rooms.values()];
  return next;
}

/**
 * The copy as the verdicts read it: {generated_at, day, keys, registrations: [person],
 * checked_in_today: [{registration_id, checked_in_at, station}], sessions (each with
 * checked_in: [registration id])}. A person is what the server's check-in answers name:
 * {id, name, native_name, badge_name, category, category_colour, delegation, country, country_name,
 * organisation, status, warning, reissue}.
 */
export function view(copy) {
  const column = Object.fromEntries(copy.fields.map((name, index) => [name, index]));
  const categories = new Map(copy.categories.map((c) => [c.id, c]));
  const delegations = new Map(copy.delegations.map((d) => [d.id, d.name]));
  const registrations = copy.registrations.map((row) => {
    const category = categories.get(row[column.category_id]) || { name: "", colour: "", warning: "" };
    const country = row[column.country];
    return {
      id: row[column.id],
      // A copy from before name orders has no such column: given name first, as it printed.
      name: formalName(
        row[column.title],
        row[column.given_name],
        row[column.family_name],
        row[column.name_order],
      ),
      native_name: row[column.native_name],
      badge_name: row[column.badge_name],
      category: category.name,
      category_colour: category.colour,
      delegation: delegations.get(row[column.delegation_id]) || "",
      country,
      country_name: copy.countries[country] || country,
      organisation: row[column.organisation],
      status: row[column.status],
      warning: category.warning,
      reissue: row[column.reissue],
    };
  });
  const inRoom = new Map();
  for (const [sessionId, registrationId] of copy.room_check_ins) {
    if (!inRoom.has(sessionId)) inRoom.set(sessionId, []);
    inRoom.get(sessionId).push(registrationId);
  }
  return {
    event_id: copy.event_id,
    event: copy.event,
    timezone: copy.timezone,
    day: copy.day,
    generated_at: copy.generated_at,
    keys: copy.keys,
    registrations,
    checked_in_today: copy.checked_in_today.map(([registrationId, checkedInAt, station]) => ({
      registration_id: registrationId,
      checked_in_at: checkedInAt,
      station,
    })),
    sessions: copy.sessions.map((s) => ({ ...s, checked_in: inRoom.get(s.id) || [] })),
  };
}
