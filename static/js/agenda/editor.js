// The agenda editor: drag sessions across the day grid, talks onto sessions, talks within
// a session; filter long lists of people. Every change is checked again on the server, and
// every one of them also has a plain form for keyboards and browsers without JavaScript.

import { fold } from "../fold.js";
import { addMinutes, clockOf, minutesOf, refusal } from "./schedule.js";

const tokenMeta = document.querySelector('meta[name="csrf-token"]');
const errorBox = document.getElementById("editor-error");
const statusLine = document.getElementById("grid-status");
const statusText = statusLine ? statusLine.textContent : "";

function post(url, body) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRFToken": tokenMeta ? tokenMeta.getAttribute("content") : "",
    },
    body: JSON.stringify(body),
  }).then((response) =>
    response.json().then(
      (data) => ({ status: response.status, data }),
      () => ({ status: response.status, data: {} }),
    ),
  );
}

function showError(message) {
  if (!errorBox) {
    window.alert(message);
    return;
  }
  errorBox.textContent = message;
  errorBox.hidden = false;
  errorBox.scrollIntoView({ block: "nearest" });
}

function hideError() {
  if (errorBox) errorBox.hidden = true;
}

function settle(result) {
  const why = refusal(result);
  if (why === null) window.location.reload();
  else showError(why);
}

function unreachable() {
  showError("The server could not be reached: nothing changed.");
}

function save(url, body) {
  post(url, body).then(settle, unreachable);
}

const number = (value) => Number.parseInt(value, 10);

// Track colours as the left edge of each block (CSP: no style attributes, but the DOM may).
for (const element of document.querySelectorAll("[data-track-colour]")) {
  element.style.borderLeftColor = element.getAttribute("data-track-colour");
}

// ---- The day grid ----
const grid = document.querySelector(".editor-grid");
if (grid) {
  placeOverlaps(grid);
  editGrid(grid);
}

// Sessions that overlap in one room share a cell: place each at its own time in it.
function placeOverlaps(grid) {
  const step = number(grid.getAttribute("data-step"));
  for (const stack of document.querySelectorAll(".slot-stack")) {
    const blocks = stack.querySelectorAll(".session-block");
    if (blocks.length < 2) continue;
    const cell = stack.parentElement;
    const rowHeight = cell.getBoundingClientRect().height / cell.rowSpan;
    const top = minutesOf(cell.getAttribute("data-starts"));
    stack.classList.add("stack-timed");
    for (const block of blocks) {
      const offset = (minutesOf(block.getAttribute("data-starts")) - top) / step;
      const rows = number(block.getAttribute("data-minutes")) / step;
      block.style.marginTop = `${Math.max(0, offset * rowHeight)}px`;
      block.style.height = `${Math.max(rowHeight * 2, rows * rowHeight - 2)}px`;
    }
  }
}

function clearTargets() {
  for (const element of document.querySelectorAll(".drop-target, .talk-target")) {
    element.classList.remove("drop-target", "talk-target");
  }
}

/** Let the dragged item drop on ``target``, marked with ``className`` (the only one marked). */
function accept(event, target, className) {
  event.preventDefault();
  event.dataTransfer.dropEffect = "move";
  if (!target.classList.contains(className)) {
    clearTargets();
    target.classList.add(className);
  }
}

function editGrid(grid) {
  let dragging = null; // {type: "session"|"talk", element}

  function roomName(roomId) {
    const header = grid.querySelector(`thead th[data-room-id="${roomId}"]`);
    return header ? header.firstChild.textContent.trim() : "the room";
  }

  // The row (time) under the pointer: a busy cell spans many rows.
  function startsAt(cell, clientY) {
    if (!cell.classList.contains("slot-busy")) return cell.getAttribute("data-starts");
    const rows = grid.tBodies[0].rows;
    let lo = 0;
    let hi = rows.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (rows[mid].getBoundingClientRect().top <= clientY) lo = mid;
      else hi = mid - 1;
    }
    return rows[lo].getAttribute("data-starts");
  }

  function say(text) {
    if (statusLine) statusLine.textContent = text;
  }

  document.addEventListener("dragstart", (event) => {
    const block = event.target.closest?.(".session-block");
    const chip = event.target.closest?.(".talk-chip");
    if (block && grid.contains(block)) {
      dragging = { type: "session", element: block };
      event.dataTransfer.setData("text/plain", `session:${block.getAttribute("data-session-id")}`);
    } else if (chip) {
      dragging = { type: "talk", element: chip };
      event.dataTransfer.setData("text/plain", `talk:${chip.getAttribute("data-talk-id")}`);
    } else {
      return;
    }
    event.dataTransfer.effectAllowed = "move";
    dragging.element.classList.add("dragging");
    hideError();
  });

  document.addEventListener("dragend", () => {
    if (dragging) dragging.element.classList.remove("dragging");
    dragging = null;
    clearTargets();
    say(statusText);
  });

  grid.addEventListener("dragover", (event) => {
    if (!dragging) return;
    if (dragging.type === "session") {
      const cell = event.target.closest("td.slot");
      if (!cell) return;
      accept(event, cell, "drop-target");
      const starts = startsAt(cell, event.clientY);
      const minutes = number(dragging.element.getAttribute("data-minutes")) || 0;
      const title = dragging.element.querySelector(".session-title").textContent;
      const room = roomName(cell.getAttribute("data-room-id"));
      say(`Drop to move “${title}” to ${room}, ${clockOf(starts)}–${addMinutes(starts, minutes)}.`);
    } else {
      const block = event.target.closest(".session-block");
      if (!block) return;
      accept(event, block, "talk-target");
      say(`Drop to place the talk last in “${block.querySelector(".session-title").textContent}”.`);
    }
  });

  grid.addEventListener("drop", (event) => {
    if (!dragging) return;
    event.preventDefault();
    const what = dragging;
    if (what.type === "session") {
      const cell = event.target.closest("td.slot");
      if (!cell) return;
      const roomId = cell.getAttribute("data-room-id");
      save(what.element.getAttribute("data-move-url"), {
        room_id: roomId ? number(roomId) : null,
        starts: startsAt(cell, event.clientY),
      });
    } else {
      const block = event.target.closest(".session-block");
      if (!block) return;
      save(grid.getAttribute("data-place-url"), {
        talk_id: number(what.element.getAttribute("data-talk-id")),
        session_id: number(block.getAttribute("data-session-id")),
      });
    }
    clearTargets();
  });

  // A double click on an empty cell starts a new session there.
  grid.addEventListener("dblclick", (event) => {
    const cell = event.target.closest("td.slot");
    if (!cell || cell.classList.contains("slot-busy")) return;
    const params = new URLSearchParams({ starts: cell.getAttribute("data-starts") });
    if (cell.getAttribute("data-room-id")) params.set("room_id", cell.getAttribute("data-room-id"));
    window.location.assign(`${grid.getAttribute("data-new-url")}?${params}`);
  });
}

// ---- Talks within a session: drag one onto another to take its place ----
const order = document.querySelector(".talk-order");
if (order) reorderTalks(order);

function reorderTalks(order) {
  let moving = null;
  const clear = () => {
    for (const row of order.querySelectorAll(".drop-target")) row.classList.remove("drop-target");
  };
  order.addEventListener("dragstart", (event) => {
    moving = event.target.closest(".talk-row");
    if (!moving) return;
    event.dataTransfer.setData("text/plain", `talk:${moving.getAttribute("data-talk-id")}`);
    event.dataTransfer.effectAllowed = "move";
    hideError();
  });
  order.addEventListener("dragover", (event) => {
    const row = event.target.closest(".talk-row");
    if (!moving || !row || row === moving) return;
    event.preventDefault();
    clear();
    row.classList.add("drop-target");
  });
  order.addEventListener("drop", (event) => {
    const row = event.target.closest(".talk-row");
    if (!moving || !row || row === moving) return;
    event.preventDefault();
    save(moving.getAttribute("data-reorder-url"), { position: number(row.getAttribute("data-position")) });
  });
  order.addEventListener("dragend", () => {
    moving = null;
    clear();
  });
}

// ---- Long lists of people: a search box filters the options (chosen ones stay) ----
for (const select of document.querySelectorAll("select[data-filter-label]")) filterable(select);

function filterable(select) {
  const label = select.getAttribute("data-filter-label");
  const box = document.createElement("input");
  box.type = "search";
  box.className = "form-control form-control-sm mb-1";
  box.placeholder = `${label}: type a name, organisation or country`;
  box.setAttribute("aria-label", label);
  box.setAttribute("aria-controls", select.id);
  select.before(box);
  // The chosen ones, named under the list: in a list of 300 they are easily scrolled away.
  const chosen = document.createElement("p");
  chosen.className = "form-text mt-1 mb-0 chosen-people";
  chosen.setAttribute("aria-live", "polite");
  select.after(chosen);
  const showChosen = () => {
    const names = [...select.selectedOptions].map((o) => o.text.split(" · ")[0]);
    chosen.textContent = names.length ? `Chosen: ${names.join("; ")}` : "None chosen.";
  };
  select.addEventListener("change", showChosen);
  showChosen();
  const first = select.querySelector("option:checked");
  if (first) select.scrollTop = first.offsetTop - select.offsetTop;
  box.addEventListener("input", () => {
    const query = fold(box.value.trim());
    for (const option of select.options) {
      option.hidden = query !== "" && !option.selected && !fold(option.text).includes(query);
    }
  });
}
