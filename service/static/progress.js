// A page following a background job (a matching round, a member import), updated in place:
// progress and the worker's message from the API address in data-poll (GET /api/v1/rounds/{id},
// GET /api/v1/imports/{id}); once the job is done (or failed) the page reloads as its result.
// Without scripts, a <noscript> meta refresh reloads the whole page instead.
(function () {
  var section = document.querySelector("section.progress[data-poll]");
  if (!section) return;
  var bar = section.querySelector("progress");
  var message = section.querySelector(".round-message");
  var url = section.getAttribute("data-poll");
  var failures = 0;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (job) {
        failures = 0;
        if (job.status !== "queued" && job.status !== "running") {
          window.location.reload();
          return;
        }
        bar.value = job.progress;
        bar.textContent = Math.round(job.progress * 100) + "%";
        message.textContent = Math.round(job.progress * 100) + "% · " + (job.message || "queued");
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
