// Small progressive enhancements; every page works without them.

import { inkOn } from "./contrast.js";
import "./error-summary.js";

// Forms that change something important ask first (or one of their buttons does).
document.addEventListener("submit", (event) => {
  const question = event.submitter?.getAttribute("data-confirm") || event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});

// Copy buttons: data-copy="#element-id".
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.getAttribute("data-copy"));
  if (!source) return;
  source.select();
  navigator.clipboard?.writeText(source.value).then(
    () => {
      button.textContent = "Copied";
    },
    () => {},
  );
});

// A box that ticks every box of a list: data-check-all="<name of the boxes>".
document.addEventListener("change", (event) => {
  const name = event.target.getAttribute?.("data-check-all");
  if (!name) return;
  for (const box of document.querySelectorAll(`input[type="checkbox"][name="${name}"]`)) {
    box.checked = event.target.checked;
  }
});

// Colour swatches and bands: data-colour="#RRGGBB" (set through the DOM; CSP allows no
// inline style). Text on the colour (a badge's category band) is black or white, whichever
// reads better on it.
for (const element of document.querySelectorAll("[data-colour]")) {
  const colour = element.getAttribute("data-colour");
  element.style.backgroundColor = colour;
  const ink = inkOn(colour);
  if (ink && element.textContent.trim()) element.style.color = ink;
}

// A table wider than the screen scrolls sideways in its .table-responsive box; a box with
// nothing to focus inside takes the focus itself, so that a keyboard can scroll it too. It
// is named by the table's caption, else by the heading before it. Checked again whenever
// the box or its table changes size (a font arriving, live rows, a phone turned).
const scrollers = document.querySelectorAll(".table-responsive");
if (scrollers.length && "ResizeObserver" in window) {
  const observer = new ResizeObserver((entries) => {
    for (const entry of entries) keyboardScroll(entry.target.closest(".table-responsive"));
  });
  for (const box of scrollers) {
    observer.observe(box);
    if (box.firstElementChild) observer.observe(box.firstElementChild);
  }
}

function keyboardScroll(box) {
  const focusable = box.querySelector("a[href], button, input, select, textarea, [tabindex]");
  const made = box.hasAttribute("data-keyboard-scroll");
  if (focusable && !made) return;
  if (box.scrollWidth > box.clientWidth + 1) {
    box.setAttribute("data-keyboard-scroll", "");
    box.tabIndex = 0;
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", tableName(box));
  } else if (made) {
    box.removeAttribute("data-keyboard-scroll");
    for (const name of ["tabindex", "role", "aria-label"]) box.removeAttribute(name);
  }
}

function tableName(box) {
  const caption = box.querySelector("caption");
  if (caption) return caption.textContent.trim();
  for (let before = box.previousElementSibling; before; before = before.previousElementSibling) {
    if (/^H[1-6]$/.test(before.tagName)) return before.textContent.trim().replace(/\s+/g, " ");
  }
  return "Table";
}

// A colour typed as #rrggbb gets a colour picker after it: data-colour-picker on the text box.
for (const text of document.querySelectorAll("input[data-colour-picker]")) {
  const picker = document.createElement("input");
  picker.type = "color";
  picker.className = "form-control form-control-color mt-2";
  picker.setAttribute("aria-label", `${text.labels?.[0]?.textContent?.trim() || "Colour"}: choose`);
  const follow = () => {
    const value = text.value.trim();
    if (/^#[0-9a-f]{6}$/i.test(value)) picker.value = value.toLowerCase();
  };
  follow();
  text.addEventListener("input", follow);
  picker.addEventListener("input", () => {
    text.value = picker.value;
  });
  text.after(picker);
}

// Parts of a form shown only when a box or option is ticked: data-show-when="<input id>".
const dependents = document.querySelectorAll("[data-show-when]");
function showDependents() {
  for (const element of dependents) {
    const input = document.getElementById(element.getAttribute("data-show-when"));
    element.hidden = !input?.checked;
  }
}
if (dependents.length) {
  document.addEventListener("change", showDependents);
  showDependents();
}

// Job progress: poll the JSON status until the job is over.
const jobBox = document.querySelector("[data-job-url]");
if (jobBox) pollJob(jobBox);

function pollJob(box) {
  const url = box.getAttribute("data-job-url");
  const bar = box.querySelector("progress");
  const field = (name) => box.querySelector(`[data-job-field="${name}"]`);
  const show = (name, text) => {
    field(name).textContent = text;
    field(name).classList.remove("d-none");
  };
  const poll = () => {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => response.json())
      .then((job) => {
        field("status").textContent = job.status;
        field("status").className = `badge job-status job-${job.status}`;
        field("message").textContent = job.message || "";
        if (field("done")) field("done").textContent = job.done;
        if (field("total") && job.total !== null) field("total").textContent = job.total;
        if (job.percent !== null) bar.value = job.percent;
        else bar.removeAttribute("value");
        if (job.error) show("error", job.error);
        if (job.notice) show("notice", job.notice);
        if (job.status !== "finished" && job.status !== "failed") window.setTimeout(poll, 1000);
        else if (job.result?.url) {
          const link = field("link");
          if (link && job.result.label) {
            link.href = job.result.url;
            link.textContent = job.result.label;
            link.parentElement.classList.remove("d-none");
          }
          window.location.assign(job.result.url);
        }
      })
      .catch(() => window.setTimeout(poll, 3000));
  };
  poll();
}
