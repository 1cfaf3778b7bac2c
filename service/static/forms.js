// The profile form, made quicker where scripts run. Without this file every field still
// works: the timezone is chosen from its list, and tags are typed separated by commas.
(function () {
  "use strict";

  // Sign-up: preselect the browser's timezone, when the form has none yet. Browsers may
  // report an old name (Asia/Calcutta): the list's data-aliases maps it to the listed one.
  var zone = document.querySelector("select[data-browser-timezone]");
  if (zone && !zone.value) {
    var tz = "";
    try {
      tz = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      tz = "";
    }
    var aliases = JSON.parse(zone.getAttribute("data-aliases") || "{}");
    tz = aliases[tz] || tz;
    if (tz && zone.querySelector('option[value="' + CSS.escape(tz) + '"]')) {
      zone.value = tz;
    }
  }

  // Tag fields hold several terms separated by commas, but a datalist suggests values for
  // the whole field. Each field gets its own list, rewritten as the person types, whose
  // options are what is already there followed by a term matching the one being typed.
  var LIMIT = 40;
  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), function (input) {
    var source = document.getElementById(input.getAttribute("list"));
    if (!source) {
      return;
    }
    var terms = Array.prototype.map.call(source.options, function (o) { return o.value; });
    var own = document.createElement("datalist");
    own.id = source.id + "-for-" + input.name;
    input.insertAdjacentElement("afterend", own);
    input.setAttribute("list", own.id);

    function refresh() {
      var value = input.value;
      var cut = value.lastIndexOf(",");
      var rest = value.slice(cut + 1);
      var lead = cut < 0 ? "" : (rest.match(/^\s*/)[0] || (rest ? "" : " "));
      var before = value.slice(0, cut + 1) + lead;
      var typed = rest.trim().toLowerCase();
      var chosen = value.slice(0, cut + 1).split(",").map(function (t) {
        return t.trim().toLowerCase();
      });
      var options = [];
      for (var i = 0; i < terms.length && options.length < LIMIT; i++) {
        var term = terms[i].toLowerCase();
        if (chosen.indexOf(term) < 0 && term.indexOf(typed) >= 0) {
          var option = document.createElement("option");
          option.value = before + terms[i];
          options.push(option);
        }
      }
      own.replaceChildren.apply(own, options);
    }
    input.addEventListener("input", refresh);
    input.addEventListener("focus", refresh);
    refresh();
  });
})();
