// The agenda editor: drag sessions across the day grid, talks onto sessions, talks within
// a session; filter long lists of people. Every change is checked again on the server, and
// every one of them also has a plain form for keyboards and browsers without JavaScript.
(function () {
  "use strict";

  var tokenMeta = document.querySelector('meta[name="csrf-token"]');

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
    }).then(function (response) {
      return response.json().then(
        function (data) { return { status: response.status, data: data }; },
        function () { return { status: response.status, data: {} }; }
      );
    });
  }

  var errorBox = document.getElementById("editor-error");
  var statusLine = document.getElementById("grid-status");
  var statusText = statusLine ? statusLine.textContent : "";

  function showError(message) {
    if (!errorBox) { window.alert(message); return; }
    errorBox.textContent = message;
    errorBox.hidden = false;
    errorBox.scrollIntoView({ block: "nearest" });
  }

  function settle(result) {
    if (result.status === 200 && result.data.ok) {
      window.location.reload();
      return;
    }
    // The editor's own refusals are {ok: false, error: "<why>"}; the app's other errors
    // (403, 404, 400 for a missing CSRF token...) are {error: "<title>", message: "<why>"}.
    var data = result.data || {};
    var why = data.ok === false ? data.error : (data.message || data.error);
    showError(why || "That change was not saved (error " + result.status + ").");
  }

  function unreachable() {
    showError("The server could not be reached: nothing changed.");
  }

  // Track colours as the left edge of each block (CSP: no style attributes, but the DOM may).
  document.querySelectorAll("[data-track-colour]").forEach(function (element) {
    element.style.borderLeftColor = element.getAttribute("data-track-colour");
  });

  // ---- The day grid ----
  var grid = document.querySelector(".editor-grid");
  var dragging = null; // {type: "session"|"talk", element}

  function minutesOf(stamp) { // "YYYY-MM-DDTHH:MM" -> minutes, zone-free
    return Date.UTC(+stamp.slice(0, 4), +stamp.slice(5, 7) - 1, +stamp.slice(8, 10),
      +stamp.slice(11, 13), +stamp.slice(14, 16)) / 60000;
  }

  // Sessions that overlap in one room share a cell: place each at its own time in it.
  function placeOverlaps() {
    var step = grid ? parseInt(grid.getAttribute("data-step"), 10) : 5;
    document.querySelectorAll(".slot-stack").forEach(function (stack) {
      var blocks = stack.querySelectorAll(".session-block");
      if (blocks.length < 2) return;
      var cell = stack.parentElement;
      var rowHeight = cell.getBoundingClientRect().height / cell.rowSpan;
      var top = minutesOf(cell.getAttribute("data-starts"));
      stack.classList.add("stack-timed");
      blocks.forEach(function (block) {
        var offset = (minutesOf(block.getAttribute("data-starts")) - top) / step;
        var rows = parseInt(block.getAttribute("data-minutes"), 10) / step;
        block.style.marginTop = Math.max(0, offset * rowHeight) + "px";
        block.style.height = Math.max(rowHeight * 2, rows * rowHeight - 2) + "px";
      });
    });
  }
  if (grid) placeOverlaps();

  function clock(stamp) { return stamp.slice(11, 16); }

  function addMinutes(stamp, minutes) {
    var total = parseInt(stamp.slice(11, 13), 10) * 60 + parseInt(stamp.slice(14, 16), 10) + minutes;
    var h = Math.floor(total / 60) % 24, m = total % 60;
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }

  function roomName(roomId) {
    var header = grid.querySelector('thead th[data-room-id="' + roomId + '"]');
    return header ? header.firstChild.textContent.trim() : "the room";
  }

  // The row (time) under the pointer: a busy cell spans many rows.
  function startsAt(cell, clientY) {
    if (!cell.classList.contains("slot-busy")) return cell.getAttribute("data-starts");
    var rows = grid.tBodies[0].rows, lo = 0, hi = rows.length - 1;
    while (lo < hi) {
      var mid = Math.ceil((lo + hi) / 2);
      if (rows[mid].getBoundingClientRect().top <= clientY) lo = mid; else hi = mid - 1;
    }
    return rows[lo].getAttribute("data-starts");
  }

  function clearTargets() {
    document.querySelectorAll(".drop-target, .talk-target").forEach(function (element) {
      element.classList.remove("drop-target", "talk-target");
    });
  }

  if (grid) {
    document.addEventListener("dragstart", function (event) {
      var block = event.target.closest && event.target.closest(".session-block");
      var chip = event.target.closest && event.target.closest(".talk-chip");
      if (block && grid.contains(block)) {
        dragging = { type: "session", element: block };
        event.dataTransfer.setData("text/plain", "session:" + block.getAttribute("data-session-id"));
      } else if (chip) {
        dragging = { type: "talk", element: chip };
        event.dataTransfer.setData("text/plain", "talk:" + chip.getAttribute("data-talk-id"));
      } else {
        return;
      }
      event.dataTransfer.effectAllowed = "move";
      dragging.element.classList.add("dragging");
      if (errorBox) errorBox.hidden = true;
    });

    document.addEventListener("dragend", function () {
      if (dragging) dragging.element.classList.remove("dragging");
      dragging = null;
      clearTargets();
      if (statusLine) statusLine.textContent = statusText;
    });

    grid.addEventListener("dragover", function (event) {
      if (!dragging) return;
      if (dragging.type === "session") {
        var cell = event.target.closest("td.slot");
        if (!cell) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
        if (!cell.classList.contains("drop-target")) { clearTargets(); cell.classList.add("drop-target"); }
        var starts = startsAt(cell, event.clientY);
        var minutes = parseInt(dragging.element.getAttribute("data-minutes"), 10) || 0;
        if (statusLine) {
          statusLine.textContent = "Drop to move “" + dragging.element.querySelector(".session-title").textContent +
            "” to " + roomName(cell.getAttribute("data-room-id")) + ", " + clock(starts) + "–" + addMinutes(starts, minutes) + ".";
        }
      } else {
        var block = event.target.closest(".session-block");
        if (!block) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
        if (!block.classList.contains("talk-target")) { clearTargets(); block.classList.add("talk-target"); }
        if (statusLine) {
          statusLine.textContent = "Drop to place the talk last in “" + block.querySelector(".session-title").textContent + "”.";
        }
      }
    });

    grid.addEventListener("drop", function (event) {
      if (!dragging) return;
      event.preventDefault();
      var what = dragging;
      if (what.type === "session") {
        var cell = event.target.closest("td.slot");
        if (!cell) return;
        var roomId = cell.getAttribute("data-room-id");
        post(what.element.getAttribute("data-move-url"), {
          room_id: roomId ? parseInt(roomId, 10) : null,
          starts: startsAt(cell, event.clientY),
        }).then(settle, unreachable);
      } else {
        var block = event.target.closest(".session-block");
        if (!block) return;
        post(grid.getAttribute("data-place-url"), {
          talk_id: parseInt(what.element.getAttribute("data-talk-id"), 10),
          session_id: parseInt(block.getAttribute("data-session-id"), 10),
        }).then(settle, unreachable);
      }
      clearTargets();
    });

    // A double click on an empty cell starts a new session there.
    grid.addEventListener("dblclick", function (event) {
      var cell = event.target.closest("td.slot");
      if (!cell || cell.classList.contains("slot-busy")) return;
      var params = new URLSearchParams({ starts: cell.getAttribute("data-starts") });
      if (cell.getAttribute("data-room-id")) params.set("room_id", cell.getAttribute("data-room-id"));
      window.location.assign(grid.getAttribute("data-new-url") + "?" + params.toString());
    });
  }

  // ---- Talks within a session: drag one onto another to take its place ----
  var order = document.querySelector(".talk-order");
  if (order) {
    var moving = null;
    order.addEventListener("dragstart", function (event) {
      moving = event.target.closest(".talk-row");
      if (!moving) return;
      event.dataTransfer.setData("text/plain", "talk:" + moving.getAttribute("data-talk-id"));
      event.dataTransfer.effectAllowed = "move";
      if (errorBox) errorBox.hidden = true;
    });
    order.addEventListener("dragover", function (event) {
      var row = event.target.closest(".talk-row");
      if (!moving || !row || row === moving) return;
      event.preventDefault();
      order.querySelectorAll(".drop-target").forEach(function (r) { r.classList.remove("drop-target"); });
      row.classList.add("drop-target");
    });
    order.addEventListener("drop", function (event) {
      var row = event.target.closest(".talk-row");
      if (!moving || !row || row === moving) return;
      event.preventDefault();
      post(moving.getAttribute("data-reorder-url"), {
        position: parseInt(row.getAttribute("data-position"), 10),
      }).then(settle, unreachable);
    });
    order.addEventListener("dragend", function () {
      moving = null;
      order.querySelectorAll(".drop-target").forEach(function (r) { r.classList.remove("drop-target"); });
    });
  }

  // ---- Long lists of people: a search box filters the options (chosen ones stay) ----
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  document.querySelectorAll("select[data-filter-label]").forEach(function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1";
    box.placeholder = select.getAttribute("data-filter-label") + ": type a name, organisation or country";
    box.setAttribute("aria-label", select.getAttribute("data-filter-label"));
    box.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(box, select);
    // The chosen ones, named under the list: in a list of 300 they are easily scrolled away.
    var chosen = document.createElement("p");
    chosen.className = "form-text mt-1 mb-0 chosen-people";
    chosen.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(chosen, select.nextSibling);
    var showChosen = function () {
      var names = Array.prototype.filter.call(select.options, function (o) { return o.selected; })
        .map(function (o) { return o.text.split(" · ")[0]; });
      chosen.textContent = names.length ? "Chosen: " + names.join("; ") : "None chosen.";
    };
    select.addEventListener("change", showChosen);
    showChosen();
    var first = select.querySelector("option:checked");
    if (first) select.scrollTop = first.offsetTop - select.offsetTop;
    box.addEventListener("input", function () {
      var query = fold(box.value.trim());
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = query !== "" && !option.selected && fold(option.text).indexOf(query) === -1;
      });
    });
  });
})();
