// The error summary at the top of a form (templates/_partials/forms.html): the focus moves to
// it when the page opens, so a screen reader reads the problems first, and each of its links
// moves the focus to its field. Without this module the summary is a plain list of links.
//
// Fields needed only once a box is ticked (data-required-when="<box id>", as the passport
// under "I need a visa invitation letter") are marked as required, for people and for
// assistive technology, whenever the box changes.

const summary = document.querySelector("[data-error-summary]");
if (summary) {
  summary.focus();
  summary.addEventListener("click", (event) => {
    const link = event.target.closest('a[href^="#"]');
    const target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    // The field's label (a group of options: its legend) at the top of the view, then the field.
    const group = target.type === "radio" || target.type === "checkbox" ? target.closest("fieldset") : null;
    const label = group?.querySelector("legend") ?? target.labels?.[0];
    (label ?? target).scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  });
}

const conditional = document.querySelectorAll("[data-required-when]");

function markRequired() {
  for (const wrapper of conditional) {
    const box = document.getElementById(wrapper.getAttribute("data-required-when"));
    const needed = Boolean(box?.checked);
    for (const control of wrapper.querySelectorAll("input, select, textarea")) {
      control.required = needed;
      if (needed) control.setAttribute("aria-required", "true");
      else control.removeAttribute("aria-required");
    }
    for (const marker of wrapper.querySelectorAll(".required-marker")) marker.hidden = !needed;
  }
}

if (conditional.length) {
  document.addEventListener("change", markRequired);
  markRequired();
}
