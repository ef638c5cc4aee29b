// The check-in scanner: camera, keyboard-wedge scanner and search by name; asks the server
// when it can and answers on its own when it cannot (verified offline, queued, synced later).

import { nameAndNative } from "../names.js";
import { Camera } from "./camera.js";
import { eventClock } from "./clock.js";
import { Feedback } from "./feedback.js";
import { applyAnswer, FORMAT, view as readCopy, usable } from "./offline.js";
import { modeOf, sessionLabel } from "./rooms.js";
import { searchLocal } from "./search.js";
import { Store } from "./store.js";
import { ed25519Supported, KeyRing, verifyOffline } from "./token.js";
import { chosenPersonVerdict, offlineAnswer, offlineSession, screen } from "./verdict.js";

const root = document.getElementById("scanner");
const cfg = root.dataset;
const field = (name) => document.querySelector(`[data-field="${name}"]`);

const REFRESH_MS = 30 * 1000; // what changed in the offline list, while online
const PROBE_MS = 10 * 1000; // is the server back?
const SCAN_TIMEOUT_MS = 2000; // after this a scan is answered on the device
const SYNC_TIMEOUT_MS = 10000;
const SHOW_MS = { green: 3000, amber: 3500, red: 4500 };
const STATION_KEY = "conference-checkin-station";
const MODE_KEY = `conference-checkin-mode:${cfg.event}`; // sessions belong to one event

const state = {
  store: null,
  copy: null, // the offline list as kept (offline.js), brought up to date by deltas
  data: null, // the same, read as people (offline.js view)
  dataSavedAt: null,
  byId: new Map(),
  keyRing: new KeyRing(),
  ed25519: true,
  reachable: true, // the last request reached the server
  signedOut: false,
  station: localStorage.getItem(STATION_KEY) || "",
  mode: readMode(), // null: the entrance (day); else the session checked into
  pending: 0,
  syncing: false,
  scanSeq: 0,
  history: [],
};

const feedback = new Feedback();
const camera = new Camera(field("video"), (text) => scanToken(text), {
  moduleUrl: cfg.detectorModule,
  wasmUrl: cfg.detectorWasm,
});

// Time, in the event's time zone ------------------------------------------------

const clock = eventClock(cfg.timezone);
const { eventDay, when } = clock;

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Talking to the server ---------------------------------------------------------------

class NetworkError extends Error {}

async function request(url, { method = "GET", body, timeout = SCAN_TIMEOUT_MS, cache = "no-store" } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  const headers = { Accept: "application/json" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    headers["X-CSRFToken"] = cfg.csrf;
  }
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache,
      signal: controller.signal,
    });
  } catch (error) {
    throw new NetworkError(error && error.name === "AbortError" ? "timeout" : "unreachable");
  } finally {
    clearTimeout(timer);
  }
  let json = null;
  try {
    json = await response.json();
  } catch {
    json = null; // a proxy's HTML error page, say
  }
  return { status: response.status, body: json || {} };
}

/** A 400 about the session (an expired CSRF token), not about the scan: no "result" in it. */
function sessionProblem(answer) {
  return answer.status === 400 && !answer.body.result;
}

/** The page's CSRF token again, after a new sign-in (the one in the page is stale). */
async function refreshCsrf() {
  const response = await fetch(cfg.page, { credentials: "same-origin", cache: "no-store" });
  if (!response.ok || response.redirected) return false;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const token = page.getElementById("scanner")?.dataset.csrf;
  if (!token) return false;
  cfg.csrf = token;
  return true;
}

/** POST a scan; once more with a fresh CSRF token if the session changed under the page. */
async function postCheckin(body, timeout) {
  let answer = await request(cfg.apiCheckins, { method: "POST", body, timeout });
  if (sessionProblem(answer) && (await refreshCsrf().catch(() => false))) {
    answer = await request(cfg.apiCheckins, { method: "POST", body, timeout });
  }
  return answer;
}

/** A status that says "the server (or the way to it) is not working right now". */
function transient(status) {
  return status >= 500 || status === 429 || status === 408 || status === 0;
}

function isOnline() {
  return navigator.onLine && state.reachable;
}

function markReachable() {
  const was = state.reachable;
  state.reachable = true;
  renderConnection();
  if (!was) {
    refreshData();
    sync();
  }
}

function markUnreachable() {
  state.reachable = false;
  renderConnection();
}

function setSignedOut(value) {
  state.signedOut = value;
  field("signed-out").hidden = !value;
}

// Offline data ---------------------------------------------------------------------------

function setData(copy, savedAt) {
  const data = readCopy(copy);
  state.copy = copy;
  state.data = data;
  state.dataSavedAt = savedAt || data.generated_at;
  state.byId = new Map(data.registrations.map((r) => [r.id, r]));
  for (const key of data.keys || []) state.keyRing.cryptoKey(key).catch(() => {});
  const count = data.registrations.length;
  field("data-status").textContent =
    `Offline list: ${count} ${count === 1 ? "person" : "people"}, updated ${when(state.dataSavedAt)}.` +
    (state.ed25519 ? "" : " This browser cannot check badge signatures offline: update it.");
  renderModes();
  root.dataset.offlineReady = "1";
}

/** Whether an answer changed anything a scan is checked against (else no need to save). */
function changes(answer) {
  if (answer.kind === "full") return true;
  return Boolean(
    answer.registrations.length ||
      answer.checked_in_today.length ||
      answer.room_check_ins.length ||
      answer.undone.length ||
      answer.day !== state.copy?.day,
  );
}

/**
 * Bring the offline list up to date: the whole list once (a device with none), then only
 * what changed since the cursor the device holds. The whole list may be a minute old (the
 * server prepares it beforehand), so it is followed at once by the changes since.
 */
async function refreshData() {
  for (let round = 0; round < 3 && navigator.onLine; round += 1) {
    const since = usable(state.copy) ? state.copy.cursor : null;
    const url = since ? `${cfg.apiOffline}?since=${encodeURIComponent(since)}` : cfg.apiOffline;
    let answer;
    try {
      // The whole list may take a while on a slow network; a delta is small.
      answer = await request(url, { timeout: since ? 10000 : 60000, cache: since ? "no-store" : "no-cache" });
    } catch {
      markUnreachable();
      return;
    }
    if (answer.status === 200 && answer.body.format === FORMAT) {
      let copy;
      try {
        copy = applyAnswer(state.copy, answer.body);
      } catch (error) {
        console.warn("offline list: starting again", error);
        state.copy = null; // the next round fetches the whole list
        continue;
      }
      const changed = changes(answer.body);
      setData(copy, new Date().toISOString());
      markReachable();
      setSignedOut(false);
      if (state.store && changed) {
        await state.store.saveOfflineData(cfg.event, copy).catch(() => {});
        await state.store.pruneSeen(cfg.event, eventDay(new Date())).catch(() => {});
      }
      if (answer.body.kind === "delta") return;
    } else if (answer.status === 400 && since) {
      state.copy = null; // a cursor the server does not take: start again
    } else {
      if (answer.status === 401) setSignedOut(true);
      else if (transient(answer.status)) markUnreachable();
      return;
    }
  }
}

async function probe() {
  if (!navigator.onLine || state.reachable) return;
  try {
    const answer = await request(cfg.apiBadgeKeys, { timeout: 5000 });
    if (!transient(answer.status)) markReachable();
    if (answer.status === 401) setSignedOut(true);
  } catch {
    /* still down */
  }
}

// Scanning ---------------------------------------------------------------------------------

function scanToken(text) {
  const token = (text || "").trim();
  if (!token) return;
  feedback.unlock();
  submit({ token });
}

function checkInPerson(registrationId) {
  feedback.unlock();
  submit({ registration_id: registrationId });
}

async function submit(what) {
  if (!state.station) {
    openStationDialog();
    return;
  }
  const seq = ++state.scanSeq;
  const body = {
    ...what,
    station: state.station,
    client_ref: uuid(),
    scanned_at: new Date().toISOString(),
    session_id: state.mode ? state.mode.id : null,
  };
  const mode = state.mode;
  let shown = null;
  if (isOnline() && !state.signedOut) {
    try {
      const answer = await postCheckin(body, SCAN_TIMEOUT_MS);
      shown = await viewForAnswer(answer, body);
      if (shown) markReachable();
      else if (transient(answer.status)) markUnreachable();
    } catch {
      markUnreachable(); // no answer in time: the device decides, and the scan is queued
    }
  }
  if (!shown) shown = await answerOffline(body);
  shown.mode = mode ? `Room: ${mode.title}` : "";
  remember(shown);
  if (seq === state.scanSeq) showResult(shown);
}

/** The screen for the server's answer, or null when the device must answer instead. */
async function viewForAnswer(answer, body) {
  const { status } = answer;
  const b = answer.body;
  if (status === 201 && b.result === "ok") {
    await markSeen(b.registration, b.checked_in_at, b.station, body.session_id);
    return view(
      "green",
      "Checked in",
      `${when(b.checked_in_at)} · ${b.station || state.station}`,
      b.registration,
    );
  }
  if (status === 200 && b.result === "already_checked_in") {
    if (!b.first_checked_in_at) return view("amber", "Already checked in", b.message || "", b.registration);
    await markSeen(b.registration, b.first_checked_in_at, b.station, body.session_id);
    return view(
      "amber",
      "Already checked in",
      `at ${when(b.first_checked_in_at)} at ${b.station}`,
      b.registration,
    );
  }
  if (status === 401 || sessionProblem(answer)) {
    setSignedOut(true);
    return null; // kept on the device until staff sign in again
  }
  if (transient(status)) return null;
  if (status === 403) {
    return view("red", "Not allowed", b.message || "You may not check people in at this event.", null);
  }
  const verdict = REFUSALS[b.code || b.result];
  if (verdict) return view("red", verdict, b.message, b.registration || null);
  // 422 (the badge is refused), 400 (the scan itself is malformed), 404 ...
  return view(
    "red",
    "Refused",
    b.message || `The server refused this scan (${status}).`,
    b.registration || null,
  );
}

// Final refusals (never sent again) with a headline of their own; the message says why.
const REFUSALS = {
  not_signed_up: "Not signed up",
  session_not_today: "Not today",
  scan_in_future: "Check this device's clock", // 422: the device is ahead of the server
  scan_too_old: "Scan too old", // 422: made offline longer ago than the server accepts
  scan_outside_event: "Not during the event", // 422: the date is not one of the event's days
  client_ref_conflict: "Not recorded", // 409: this scan's reference named another scan
};

/** The device's own answer (verdict.js), with what it needs looked up: the badge's
 * signature, the person in the offline list, this device's earlier check-ins. */
async function answerOffline(body) {
  const data = state.data;
  let check = null;
  if (data && body.token && state.ed25519) {
    check = await verifyOffline(body.token, data, state.byId, state.keyRing);
  } else if (data && !body.token) {
    check = chosenPersonVerdict(state.byId.get(body.registration_id));
  }
  let seen = null;
  if (check?.result === "ok" && state.store) {
    const day = eventDay(new Date(body.scanned_at));
    const personId = check.registration.id;
    seen = await state.store.seen(cfg.event, day, personId, body.session_id).catch(() => null);
  }
  const decided = offlineAnswer(
    {
      body,
      data,
      check,
      ed25519: state.ed25519,
      seen,
      mode: state.mode,
      station: state.station,
      savedAt: state.dataSavedAt,
      signedOut: state.signedOut,
    },
    clock,
  );
  if (decided.markSeen) await markSeen(decided.registration, body.scanned_at, state.station, body.session_id);
  if (decided.queue) await queue(body, decided.colour);
  return view(decided.colour, decided.verdict, decided.detail, decided.registration, decided);
}

async function markSeen(registration, at, station, sessionId = null) {
  if (!registration || !state.store || !at) return;
  const day = eventDay(new Date(at));
  await state.store
    .markSeen(cfg.event, day, registration.id, at, station || state.station, sessionId)
    .catch(() => {});
}

async function queue(body, colour) {
  if (!state.store) return; // no IndexedDB (a private window?): nothing can wait
  await state.store.enqueue(cfg.event, body, { colour });
  await renderQueue();
}

// Sync ---------------------------------------------------------------------------------------

async function sync() {
  if (!state.store || state.syncing || !navigator.onLine || state.signedOut) return;
  state.syncing = true;
  try {
    const run = () => syncQueue();
    // One tab at a time sends the queue, so no scan is sent twice at once.
    if (navigator.locks)
      await navigator.locks.request(`checkin-sync:${cfg.event}`, { ifAvailable: true }, (lock) =>
        lock ? run() : null,
      );
    else await run();
  } finally {
    state.syncing = false;
    await renderQueue();
  }
}

async function syncQueue() {
  const items = (await state.store.queued(cfg.event)).filter((item) => item.state === "pending");
  if (items.length) renderQueue(`Sending ${items.length}…`);
  for (const item of items) {
    let answer;
    try {
      answer = await postCheckin(item.body, SYNC_TIMEOUT_MS);
    } catch {
      markUnreachable();
      return;
    }
    const { status } = answer;
    const b = answer.body;
    if (status === 401 || status === 403 || sessionProblem(answer)) {
      setSignedOut(true); // not the scan's fault: it stays queued for staff who may send it
      return;
    }
    if (transient(status)) {
      markUnreachable();
      return;
    }
    state.reachable = true;
    renderConnection();
    if (status === 201 || status === 200) {
      if (b.registration) {
        await markSeen(
          b.registration,
          b.checked_in_at || b.first_checked_in_at,
          b.station,
          item.body.session_id,
        );
      }
      await state.store.delete("queue", item.client_ref);
    } else {
      // The server's final word differs from the device's (a refused badge, 422 for a scan
      // too old or a wrong clock, 409 for a reused client_ref): never sent again, kept
      // where staff can see it.
      await state.store.put("queue", {
        ...item,
        state: "refused",
        answer: {
          status,
          result: b.result || "",
          message: b.message || "",
          name: b.registration ? b.registration.name : "",
        },
      });
    }
    await renderQueue();
  }
}

// The screen -------------------------------------------------------------------------------

/** A screen (verdict.js) as shown now. */
function view(...what) {
  return { ...screen(...what), at: new Date() };
}

const ICONS = { green: "✓", amber: "!", red: "✕" };
let hideTimer = null;

function setText(name, text) {
  const el = field(name);
  el.textContent = text || "";
  el.hidden = !text;
}

function showResult(v) {
  const r = v.registration || {};
  const box = field("result");
  box.dataset.colour = v.colour;
  field("result-icon").textContent = ICONS[v.colour];
  field("result-verdict").textContent = v.verdict;
  field("result-detail").textContent = v.detail;
  setText("result-mode", v.mode);
  const warnings = [r.warning, v.warning].filter(Boolean);
  setText("result-warning", warnings.length ? `⚠ ${warnings.join(" · ")}` : "");
  const [name, native] = nameAndNative(r.name, r.native_name);
  setText("result-native", native);
  setText("result-name", name);
  setText("result-category", r.category || "");
  field("result-category-row").hidden = !r.category;
  const swatch = field("result-swatch");
  swatch.hidden = !/^#[0-9a-f]{6}$/i.test(r.category_colour || "");
  if (!swatch.hidden) swatch.style.backgroundColor = r.category_colour;
  const country = r.country_name ? `${r.country_name}${r.country ? ` (${r.country})` : ""}` : r.country;
  setText("result-where", [r.delegation, country].filter(Boolean).join(" · "));
  setText("result-offline", v.offline);
  // Restart the entrance animation even when the colour is the same as the last one.
  box.hidden = false;
  box.classList.remove("scan-result-enter");
  void box.offsetWidth;
  box.classList.add("scan-result-enter");
  feedback.play(v.colour);
  clearTimeout(hideTimer);
  hideTimer = setTimeout(hideResult, SHOW_MS[v.colour] || 3000);
}

function hideResult() {
  clearTimeout(hideTimer);
  field("result").hidden = true;
  focusWedge();
}

function remember(v) {
  const r = v.registration || {};
  state.history.unshift({
    colour: v.colour,
    verdict: v.verdict,
    name: r.name || "",
    detail: v.detail,
    at: v.at,
  });
  state.history.length = Math.min(state.history.length, 8);
  const list = field("history");
  list.replaceChildren(
    ...state.history.map((h) => {
      const li = document.createElement("li");
      li.dataset.colour = h.colour;
      const time = document.createElement("span");
      time.className = "scanner-history-time";
      time.textContent = clock.time(h.at);
      const what = document.createElement("span");
      what.textContent = `${h.verdict}${h.name ? ` — ${h.name}` : ""}`;
      const detail = document.createElement("span");
      detail.className = "scanner-history-detail";
      detail.textContent = h.detail;
      li.append(time, what, detail);
      return li;
    }),
  );
}

function renderConnection() {
  const bar = document.querySelector(".scanner-bar");
  let label = "Online";
  let mode = "online";
  if (!navigator.onLine) {
    label = "Offline: checking on this device";
    mode = "offline";
  } else if (!state.reachable) {
    label = "Server unreachable: checking on this device";
    mode = "offline";
  }
  bar.dataset.connection = mode;
  field("connection").textContent = label;
}

async function renderQueue(busy) {
  let pending = 0;
  let refused = [];
  if (state.store) {
    const items = await state.store.queued(cfg.event).catch(() => []);
    pending = items.filter((i) => i.state === "pending").length;
    refused = items.filter((i) => i.state === "refused");
  }
  state.pending = pending;
  root.dataset.queue = String(pending);
  const el = field("queue");
  el.textContent = busy || (pending ? `${pending} waiting to sync` : "0 waiting to sync");
  el.dataset.waiting = pending ? "1" : "0";
  const box = field("refused");
  box.hidden = !refused.length;
  box.querySelector("button").textContent =
    `${refused.length} offline ${refused.length === 1 ? "scan was" : "scans were"} refused by the server: see why`;
  field("refused-list").replaceChildren(
    ...refused.map((item) => {
      const li = document.createElement("li");
      const a = item.answer || {};
      li.textContent = `${when(item.body.scanned_at)} ${a.name || "(unknown)"}: ${a.message || a.result || a.status}`;
      return li;
    }),
  );
  if (!refused.length) field("refused-list").hidden = true;
}

function renderStation() {
  field("station").textContent = state.station || "Choose a station";
}

// Mode: the entrance (day) or a room (one of today's sessions) ---------------------------

function readMode() {
  try {
    const mode = JSON.parse(localStorage.getItem(MODE_KEY) || "null");
    return mode && Number.isInteger(mode.id) ? mode : null;
  } catch {
    return null;
  }
}

function saveMode(mode) {
  state.mode = mode;
  if (mode) localStorage.setItem(MODE_KEY, JSON.stringify(mode));
  else localStorage.removeItem(MODE_KEY);
  renderMode();
}

/** Select the current mode in the dialog (a remembered session is listed even before data). */
function showModeChoice(value = null) {
  const select = field("mode-select");
  const mode = state.mode;
  if (mode && !select.querySelector(`option[value="${mode.id}"]`)) {
    const option = document.createElement("option");
    option.value = String(mode.id);
    option.textContent = sessionLabel(mode);
    select.append(option);
  }
  select.value = value ?? (mode ? String(mode.id) : "");
}

/** The header says, at a glance, what a scan checks people in for. */
function renderMode() {
  const button = field("mode");
  const mode = state.mode;
  button.dataset.mode = mode ? "room" : "day";
  root.dataset.mode = mode ? `session:${mode.id}` : "day";
  field("mode-kind").textContent = mode ? `Room: ${mode.title}` : "Entrance (day)";
  field("mode-detail").textContent = mode
    ? [mode.time, mode.room, mode.signed_up_only ? "signed-up delegates only" : "open to all"]
        .filter(Boolean)
        .join(" · ")
    : "Door check-in: once per delegate per day";
}

/** Today's sessions in the dialog's list; a remembered session no longer today is dropped. */
function renderModes() {
  const sessions = state.data?.sessions || [];
  let gone = null;
  const today =
    state.data?.generated_at && eventDay(new Date(state.data.generated_at)) === eventDay(new Date());
  if (state.mode && today) {
    const current = offlineSession(state.data, state.mode.id);
    // Yesterday's session, or one taken off the agenda: never scan into it by mistake.
    if (!current) gone = state.mode.title;
    saveMode(current ? modeOf(current) : null); // its time, room or rule may have changed
  }
  const select = field("mode-select");
  const keep = field("station-dialog").open ? select.value : null; // someone is choosing
  const entrance = document.createElement("option");
  entrance.value = "";
  entrance.textContent = "Entrance (day)";
  select.replaceChildren(
    entrance,
    ...sessions.map((s) => {
      const option = document.createElement("option");
      option.value = String(s.id);
      option.textContent = sessionLabel(s);
      return option;
    }),
  );
  showModeChoice(keep);
  if (gone) {
    field("mode-help").textContent = `“${gone}” is not on today's list: choose again.`;
    openStationDialog();
  } else {
    field("mode-help").textContent = sessions.length
      ? "Or a room: today's sessions, by time and room."
      : "No sessions today: entrance check-in only.";
  }
}

// Station ----------------------------------------------------------------------------------

function openStationDialog() {
  const dialog = field("station-dialog");
  field("station-input").value = state.station;
  showModeChoice();
  if (!dialog.open) dialog.showModal();
  field("station-input").focus();
}

function saveStation(name) {
  state.station = name.trim().slice(0, 100);
  localStorage.setItem(STATION_KEY, state.station);
  renderStation();
}

// Search by name ---------------------------------------------------------------------------

let searchTimer = null;
let searchSeq = 0;

async function runSearch(query) {
  const seq = ++searchSeq;
  const status = field("search-status");
  if (!query.trim()) {
    field("results").replaceChildren();
    status.textContent = "";
    return;
  }
  let items = null;
  let where = "";
  if (isOnline()) {
    try {
      const answer = await request(`${cfg.apiSearch}?q=${encodeURIComponent(query)}`);
      if (answer.status === 200 && Array.isArray(answer.body.items)) items = answer.body.items;
      else if (answer.status === 401) setSignedOut(true);
    } catch {
      markUnreachable();
    }
  }
  if (items === null) {
    items = state.data ? searchLocal(state.data.registrations || [], query) : [];
    where = state.data ? " (this device's list)" : " (no offline list on this device)";
  }
  if (seq !== searchSeq) return;
  status.textContent = items.length ? `${items.length} found${where}` : `Nobody found${where}.`;
  field("results").replaceChildren(...items.map(resultItem));
}

function resultItem(r) {
  const li = document.createElement("li");
  const who = document.createElement("div");
  who.className = "scanner-result-who";
  const [shown, beside] = nameAndNative(r.name, r.native_name);
  const name = document.createElement("strong");
  name.textContent = shown;
  who.append(name);
  if (beside) {
    const native = document.createElement("span");
    native.className = "scanner-result-native";
    native.textContent = beside;
    who.append(native);
  }
  const meta = document.createElement("span");
  meta.className = "scanner-result-meta";
  const status = r.status && r.status !== "confirmed" ? ` · ${r.status.replace(/_/g, " ")}` : "";
  meta.textContent =
    [r.category, r.delegation, r.country_name || r.country].filter(Boolean).join(" · ") + status;
  who.append(meta);
  const button = document.createElement("button");
  button.type = "button";
  button.className = "btn btn-success btn-lg";
  button.textContent = "Check in";
  button.setAttribute("aria-label", `Check in ${r.name}`);
  button.addEventListener("click", () => {
    checkInPerson(r.id);
    field("search").value = "";
    field("results").replaceChildren();
    field("search-status").textContent = "";
    focusWedge(true);
  });
  li.append(who, button);
  return li;
}

// The keyboard wedge -----------------------------------------------------------------------

const wedge = field("wedge");

function typing(el) {
  return el && el !== wedge && (el.matches("input, textarea, select") || el.isContentEditable);
}

/** Give the focus back to the wedge input; ``force`` takes it from a button, never from a text field. */
function focusWedge(force = false) {
  if (field("station-dialog").open) return;
  const active = document.activeElement;
  if (typing(active)) return;
  if (!force && active && active !== document.body && active !== wedge) return;
  wedge.focus({ preventScroll: true });
}

function submitWedge() {
  const code = wedge.value;
  wedge.value = "";
  scanToken(code);
}

field("wedge-form").addEventListener("submit", (event) => {
  event.preventDefault();
  submitWedge();
});
wedge.addEventListener("keydown", (event) => {
  // Some scanners end with Tab instead of Enter.
  if (event.key === "Tab" && wedge.value.trim()) {
    event.preventDefault();
    submitWedge();
  }
});
wedge.addEventListener("blur", () => setTimeout(() => focusWedge(), 0));
// A scanner types wherever the focus is: if that is not a text field, send it to the wedge.
document.addEventListener(
  "keydown",
  (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1 || event.key === " ") return;
    if (typing(document.activeElement) || document.activeElement === wedge) return;
    if (field("station-dialog").open) return;
    wedge.focus({ preventScroll: true });
  },
  true,
);

// Wiring -----------------------------------------------------------------------------------

document.addEventListener("pointerdown", () => feedback.unlock(), { passive: true });
document.addEventListener("keydown", () => feedback.unlock(), { passive: true });

field("result").addEventListener("click", hideResult);

field("search").addEventListener("input", (event) => {
  clearTimeout(searchTimer);
  const q = event.target.value;
  searchTimer = setTimeout(() => runSearch(q), 200);
});
field("search").addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    event.target.value = "";
    runSearch("");
    wedge.focus({ preventScroll: true });
  }
});

document.querySelector('[data-action="station"]').addEventListener("click", openStationDialog);
field("mode").addEventListener("click", openStationDialog);
for (const choice of document.querySelectorAll("[data-station-choice]")) {
  choice.addEventListener("click", () => {
    field("station-input").value = choice.dataset.stationChoice;
  });
}
field("station-form").addEventListener("submit", (event) => {
  const name = field("station-input").value.trim();
  if (!name) {
    event.preventDefault();
    return;
  }
  saveStation(name);
  const id = Number(field("mode-select").value) || null;
  const chosen = id && offlineSession(state.data, id);
  if (chosen) saveMode(modeOf(chosen));
  else if (!id) saveMode(null); // else: the remembered session, kept as it is
  feedback.unlock();
  setTimeout(() => {
    focusWedge(true);
    if (!camera.running) startCamera(false);
  }, 0);
});
field("station-dialog").addEventListener("cancel", (event) => {
  if (!state.station) event.preventDefault(); // a station is needed before the first scan
});

document.querySelector('[data-action="camera"]').addEventListener("click", () => startCamera(true));
document.querySelector('[data-action="camera-stop"]').addEventListener("click", () => {
  camera.stop();
  root.dataset.camera = "off";
  field("camera-off").hidden = false;
  document.querySelector('[data-action="camera-stop"]').hidden = true;
  focusWedge(true);
});
document.querySelector('[data-action="show-refused"]').addEventListener("click", () => {
  const list = field("refused-list");
  list.hidden = !list.hidden;
});

async function startCamera(asked) {
  const message = field("camera-message");
  try {
    if (!asked) {
      // Without a tap, start only where the camera is already allowed (no prompt out of the blue).
      const permission = await navigator.permissions?.query({ name: "camera" }).catch(() => null);
      if (permission?.state !== "granted") return;
    }
    message.textContent = "Starting the camera…";
    await camera.start();
    field("camera-off").hidden = true;
    document.querySelector('[data-action="camera-stop"]').hidden = false;
    root.dataset.camera = "on";
  } catch (error) {
    message.textContent = error.message;
    root.dataset.camera = "failed";
  } finally {
    focusWedge(true);
  }
}

window.addEventListener("online", () => {
  renderConnection();
  state.reachable = true;
  refreshData().then(sync);
});
window.addEventListener("offline", renderConnection);
// A phone in a pocket does not need its camera on; it comes back with the page.
let cameraWasOn = false;
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") {
    cameraWasOn = camera.running;
    if (cameraWasOn) camera.stop();
    return;
  }
  if (cameraWasOn) startCamera(true);
  if (isOnline()) sync();
  focusWedge();
});

async function registerWorker() {
  if (!("serviceWorker" in navigator) || !cfg.sw) return;
  try {
    await navigator.serviceWorker.register(cfg.sw, { scope: cfg.page });
    await navigator.serviceWorker.ready; // installed: the page and its files are kept
    root.dataset.worker = "ready";
  } catch (error) {
    root.dataset.worker = "failed";
    console.warn(
      "The scanner's service worker could not be registered: the page will not reload offline.",
      error,
    );
  }
}

async function start() {
  renderStation();
  renderMode();
  renderConnection();
  if (!state.station) openStationDialog();
  else focusWedge(true);
  state.ed25519 = await ed25519Supported();
  try {
    state.store = await Store.open();
  } catch (error) {
    console.error("IndexedDB unavailable", error);
    field("data-status").textContent =
      "This browser keeps nothing on the device (private window?): offline scans cannot wait to sync.";
  }
  if (state.store) {
    const saved = await state.store.offlineData(cfg.event).catch(() => null);
    if (saved && usable(saved.data)) setData(saved.data, saved.saved_at); // else: fetched whole
    await renderQueue();
  }
  if (state.station) startCamera(false);
  registerWorker();
  await refreshData();
  await sync();
  setInterval(() => {
    if (isOnline()) refreshData().then(sync);
  }, REFRESH_MS);
  setInterval(() => {
    if (!state.reachable) probe();
    else if (state.pending && navigator.onLine && !state.syncing) sync();
  }, PROBE_MS);
}

start();
