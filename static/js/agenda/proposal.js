// A proposal of parallel sessions while the solver searches: poll its JSON every second and
// show the best proposal so far (its cost, each count, the bound) and the time used; once
// the search is over (ready, failed, cancelled), reload the page, which then shows the result.

const box = document.getElementById("proposal-progress");

function show(id, value) {
  const element = document.getElementById(id);
  if (element) element.textContent = value === null || value === undefined ? "—" : String(value);
}

function render(state) {
  show("progress-objective", state.objective);
  show("progress-bound", state.bound);
  const limit = Number(box.getAttribute("data-time-limit"));
  const elapsed = Math.min(limit, Math.round(state.elapsed || 0));
  show("progress-elapsed", elapsed);
  const bar = document.getElementById("progress-time");
  if (bar) bar.value = elapsed;
  for (const row of box.querySelectorAll("[data-term]")) {
    const cell = row.querySelector("[data-term-count]");
    const term = row.getAttribute("data-term");
    if (cell) cell.textContent = state.terms && term in state.terms ? String(state.terms[term]) : "—";
  }
  let message = "Looking for a first proposal…";
  if (state.cancel_requested) message = "Stopping…";
  else if (state.objective !== null && state.objective !== undefined) message = "Best proposal so far:";
  show("progress-message", message);
}

function poll() {
  fetch(box.getAttribute("data-status-url"), {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  })
    .then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    })
    .then((state) => {
      render(state);
      if (state.status === "running") window.setTimeout(poll, 1000);
      else window.location.reload();
    })
    .catch(() => {
      show("progress-message", "Lost touch with the server; trying again…");
      window.setTimeout(poll, 3000);
    });
}

if (box) poll();
