// Live arrivals: refresh the counts every five seconds without reloading the page.

import { nameAndNative } from "./names.js";

const root = document.querySelector("[data-arrivals-url]");
if (root) window.setInterval(() => refresh(root.getAttribute("data-arrivals-url")), 5000);

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function badge(text, className) {
  const span = document.createElement("span");
  span.className = `badge ${className}`;
  span.textContent = text;
  return span;
}

function row(cells) {
  const tr = document.createElement("tr");
  tr.append(...cells);
  return tr;
}

function fill(name, rows) {
  const body = document.querySelector(`[data-table="${name}"] tbody`);
  if (!body) return;
  body.replaceChildren(...rows.map(row));
  if (!rows.length) {
    const empty = name === "not_arrived" ? "Everyone is here." : "No arrivals yet";
    body.append(row([cell(empty, "text-body-secondary")]));
  }
}

// Arrivals by hour: a group of rows per day (its label and total), then each hour's time,
// count, share of the day and a bar of it.
function fillHours(days) {
  const table = document.querySelector('[data-table="by_hour"]');
  if (!table) return;
  for (const body of table.querySelectorAll("tbody")) body.remove();
  for (const day of days) {
    const body = document.createElement("tbody");
    const heading = document.createElement("th");
    heading.scope = "rowgroup";
    heading.colSpan = 4;
    heading.textContent = `${day.label} · ${day.total} ${day.total === 1 ? "arrival" : "arrivals"}`;
    const top = row([heading]);
    top.className = "table-light";
    body.append(top);
    for (const hour of day.hours) {
      const bar = document.createElement("meter");
      bar.className = "hour-share";
      bar.min = 0;
      bar.max = 100;
      bar.value = hour.percent;
      bar.setAttribute("aria-hidden", "true");
      const barCell = cell("");
      barCell.append(bar);
      body.append(
        row([
          cell(hour.time, "text-nowrap"),
          cell(String(hour.count), "text-end"),
          cell(`${hour.percent}%`, "text-end"),
          barCell,
        ]),
      );
    }
    table.append(body);
  }
  if (!days.length) {
    const body = document.createElement("tbody");
    const empty = cell("No arrivals yet", "text-body-secondary");
    empty.colSpan = 4;
    body.append(row([empty]));
    table.append(body);
  }
}

// Room check-ins per session of the day, against capacity; over capacity stands out.
function fillSessions(sessions) {
  const body = document.querySelector('[data-table="sessions"] tbody');
  if (!body) return;
  body.replaceChildren(
    ...sessions.map((s) => {
      const title = cell(s.title);
      if (s.signed_up_only) title.append(" ", badge("signed-up delegates only", "text-bg-secondary"));
      const counted = cell("", "text-end text-nowrap");
      const strong = document.createElement("strong");
      strong.textContent = String(s.checked_in);
      counted.append(strong, ` / ${s.capacity === null ? "no limit" : s.capacity}`);
      if (s.over_capacity) counted.append(" ", badge("over capacity", "text-bg-danger"));
      const signedUp = s.signed_up_only || s.signed_up ? String(s.signed_up) : "—";
      const tr = row([
        cell(s.time, "text-nowrap"),
        cell(s.room || "—"),
        title,
        counted,
        cell(signedUp, "text-end"),
      ]);
      if (s.over_capacity) tr.className = "table-danger";
      return tr;
    }),
  );
  if (!sessions.length) {
    const empty = cell("No sessions today.", "text-body-secondary");
    empty.colSpan = 5;
    body.append(row([empty]));
  }
}

function refresh(url) {
  const updated = document.querySelector("[data-arrivals-updated]");
  fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then((response) => response.json())
    .then((data) => {
      document.querySelector('[data-field="arrived"]').textContent = data.arrived;
      document.querySelector('[data-field="confirmed"]').textContent = data.confirmed;
      fillHours(data.by_hour || []);
      for (const key of ["by_category", "by_country"]) {
        fill(
          key,
          Object.entries(data[key]).map(([label, count]) => [cell(label), cell(String(count), "text-end")]),
        );
      }
      fillSessions(data.sessions || []);
      fill(
        "not_arrived",
        data.not_arrived.map((r) => [
          cell(nameAndNative(r.name, r.native_name).filter(Boolean).join(" ")),
          cell(r.category),
          cell(r.country_name),
          cell(r.delegation),
        ]),
      );
      updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    })
    .catch(() => {
      updated.textContent = "Offline: retrying…";
    });
}
