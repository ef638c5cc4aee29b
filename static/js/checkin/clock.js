// Dates and times as the scanner shows them: in the event's time zone, not the device's.

/**
 * The event-local day, day label and times of moments, for an IANA time zone; ``now``
 * tells the present moment (the device's clock unless a test fixes it).
 */
export function eventClock(zone, now = () => new Date()) {
  const formatter = (options) => {
    try {
      return new Intl.DateTimeFormat("en-GB", { timeZone: zone || undefined, ...options });
    } catch {
      return new Intl.DateTimeFormat("en-GB", options); // unknown zone: the device's
    }
  };
  const dayParts = formatter({ year: "numeric", month: "2-digit", day: "2-digit" });
  const clockFormat = formatter({ hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const dateFormat = formatter({ day: "numeric", month: "short" });
  const longDayParts = formatter({ weekday: "long", day: "numeric", month: "long" });
  const parts = (format, date) =>
    Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));

  /** The event-local day of a moment, as YYYY-MM-DD. */
  function eventDay(date) {
    const { year, month, day } = parts(dayParts, date);
    return `${year}-${month}-${day}`;
  }

  /** "Wednesday 30 October": the event-local day of a moment, as the server words it. */
  function dayLabel(date) {
    const { weekday, day, month } = parts(longDayParts, date);
    return `${weekday} ${day} ${month}`;
  }

  /** "09:02": the event-local time of a moment. */
  function time(date) {
    return clockFormat.format(date);
  }

  /** "09:02", or "28 Oct 09:02" when not on the day of ``today``; "" for no date. */
  function when(iso, today = now()) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return "";
    const clock = time(date);
    return eventDay(date) === eventDay(today) ? clock : `${dateFormat.format(date)} ${clock}`;
  }

  return { zone, eventDay, dayLabel, time, when };
}
