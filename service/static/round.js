// A running round's page, updated in place: progress and the worker's message from
// GET /api/v1/rounds/{id}; once the round is done (or failed) the page reloads as its review.
// Without scripts, a <noscript> meta refresh reloads the whole page instead.
(function () {
  var section = document.querySelector("section.progress[data-round]");
  if (!section) return;
  var bar = section.querySelector("progress");
  var message = section.querySelector(".round-message");
  var url = "/api/v1/rounds/" + section.getAttribute("data-round");
  var failures = 0;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (round) {
        failures = 0;
        if (round.status !== "queued" && round.status !== "running") {
          window.location.reload();
          return;
        }
        bar.value = round.progress;
        bar.textContent = Math.round(round.progress * 100) + "%";
        message.textContent = Math.round(round.progress * 100) + "% · " + (round.message || "queued");
        setTimeout(poll, 1000);
      })
      .catch(function () {
        // The API is unreachable for now: fall back to reloading the page.
        failures += 1;
        if (failures > 2) window.location.reload();
        else setTimeout(poll, 2000);
      });
  }
  setTimeout(poll, 1000);
})();
