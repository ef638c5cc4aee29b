// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Forms that change something important ask first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Copy buttons: data-copy="#element-id".
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    source.select();
    var done = function () { button.textContent = "Copied"; };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(source.value).then(done, function () {});
    }
  });

  // A box that ticks every box of a list: data-check-all="<name of the boxes>".
  document.addEventListener("change", function (event) {
    var name = event.target.getAttribute && event.target.getAttribute("data-check-all");
    if (!name) return;
    document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
      box.checked = event.target.checked;
    });
  });

  // Colour swatches: data-colour="#RRGGBB" (set through the DOM; CSP allows no inline style).
  document.querySelectorAll("[data-colour]").forEach(function (element) {
    element.style.backgroundColor = element.getAttribute("data-colour");
  });

  // Parts of a form shown only when a box or option is ticked: data-show-when="<input id>".
  var dependents = document.querySelectorAll("[data-show-when]");
  var refresh = function () {
    dependents.forEach(function (element) {
      var input = document.getElementById(element.getAttribute("data-show-when"));
      element.hidden = !(input && input.checked);
    });
  };
  if (dependents.length) {
    document.addEventListener("change", refresh);
    refresh();
  }

  // Job progress: poll the JSON status until the job is over.
  var jobBox = document.querySelector("[data-job-url]");
  if (jobBox) {
    var url = jobBox.getAttribute("data-job-url");
    var bar = jobBox.querySelector("progress");
    var field = function (name) { return jobBox.querySelector('[data-job-field="' + name + '"]'); };
    var poll = function () {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (job) {
          field("status").textContent = job.status;
          field("status").className = "badge job-status job-" + job.status;
          field("message").textContent = job.message || "";
          if (field("done")) field("done").textContent = job.done;
          if (field("total") && job.total !== null) field("total").textContent = job.total;
          if (job.percent !== null) { bar.value = job.percent; } else { bar.removeAttribute("value"); }
          if (job.error) { field("error").textContent = job.error; field("error").classList.remove("d-none"); }
          if (job.notice) { field("notice").textContent = job.notice; field("notice").classList.remove("d-none"); }
          if (job.status !== "finished" && job.status !== "failed") { window.setTimeout(poll, 1000); }
          else if (job.result && job.result.url) { window.location.assign(job.result.url); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    poll();
  }
})();
