// Live arrivals: refresh the counts every five seconds without reloading the page.
(function () {
  "use strict";
  var root = document.querySelector("[data-arrivals-url]");
  if (!root) return;
  var url = root.getAttribute("data-arrivals-url");
  var cell = function (text, className) {
    var td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    return td;
  };
  var fill = function (name, rows) {
    var body = document.querySelector('[data-table="' + name + '"] tbody');
    if (!body) return;
    body.replaceChildren();
    rows.forEach(function (cells) {
      var tr = document.createElement("tr");
      cells.forEach(function (c) { tr.appendChild(c); });
      body.appendChild(tr);
    });
    if (!rows.length) {
      var tr = document.createElement("tr");
      tr.appendChild(cell(name === "not_arrived" ? "Everyone is here." : "No arrivals yet", "text-body-secondary"));
      body.appendChild(tr);
    }
  };
  var badge = function (text, className) {
    var span = document.createElement("span");
    span.className = "badge " + className;
    span.textContent = text;
    return span;
  };
  // Room check-ins per session of the day, against capacity; over capacity stands out.
  var fillSessions = function (sessions) {
    var body = document.querySelector('[data-table="sessions"] tbody');
    if (!body) return;
    body.replaceChildren();
    sessions.forEach(function (s) {
      var tr = document.createElement("tr");
      if (s.over_capacity) tr.className = "table-danger";
      var title = cell(s.title);
      if (s.signed_up_only) title.append(" ", badge("signed-up delegates only", "text-bg-secondary"));
      var counted = cell("", "text-end text-nowrap");
      var strong = document.createElement("strong");
      strong.textContent = String(s.checked_in);
      counted.append(strong, " / " + (s.capacity === null ? "no limit" : s.capacity));
      if (s.over_capacity) counted.append(" ", badge("over capacity", "text-bg-danger"));
      var signedUp = s.signed_up_only || s.signed_up ? String(s.signed_up) : "—";
      [cell(s.time, "text-nowrap"), cell(s.room || "—"), title, counted, cell(signedUp, "text-end")]
        .forEach(function (c) { tr.appendChild(c); });
      body.appendChild(tr);
    });
    if (!sessions.length) {
      var tr = document.createElement("tr");
      var empty = cell("No sessions today.", "text-body-secondary");
      empty.colSpan = 5;
      tr.appendChild(empty);
      body.appendChild(tr);
    }
  };
  var refresh = function () {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        document.querySelector('[data-field="arrived"]').textContent = data.arrived;
        document.querySelector('[data-field="confirmed"]').textContent = data.confirmed;
        ["by_day", "by_hour", "by_category", "by_country"].forEach(function (key) {
          fill(key, Object.keys(data[key]).map(function (label) {
            return [cell(label), cell(String(data[key][label]), "text-end")];
          }));
        });
        fillSessions(data.sessions || []);
        fill("not_arrived", data.not_arrived.map(function (r) {
          return [cell(r.name + (r.native_name ? " " + r.native_name : "")), cell(r.category),
                  cell(r.country_name), cell(r.delegation)];
        }));
        document.querySelector("[data-arrivals-updated]").textContent =
          "Updated " + new Date().toLocaleTimeString();
      })
      .catch(function () {
        document.querySelector("[data-arrivals-updated]").textContent = "Offline: retrying…";
      });
  };
  window.setInterval(refresh, 5000);
})();
