// Small progressive enhancements; every page works without them.

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

// Colour swatches: data-colour="#RRGGBB" (set through the DOM; CSP allows no inline style).
for (const element of document.querySelectorAll("[data-colour]")) {
  element.style.backgroundColor = element.getAttribute("data-colour");
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
