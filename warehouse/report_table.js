// The event table of the newsevents HTML report: filter by words (actors, type, place, status, sentence) and
// quad class, sort by a column; the caption counts the rows shown.
// Inlined into the page by warehouse/report.py; needs no network. A filter can be preset with #q=words.
(function () {
  "use strict";
  var table = document.getElementById("events");
  var body = table.tBodies[0];
  var input = document.getElementById("filter");
  var quad = document.getElementById("quad");
  var counter = document.getElementById("shown");
  var rows = Array.prototype.slice.call(body.rows);
  // the words a filter searches: actors, type, place, status and sentence (report.py's data-words), not the source
  var texts = rows.map(function (r) { return r.getAttribute("data-words") || ""; });

  function apply() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var q = quad.value;
    var shown = 0;
    rows.forEach(function (r, i) {
      var ok = (!q || r.getAttribute("data-quad") === q) &&
        terms.every(function (t) { return texts[i].indexOf(t) !== -1; });
      r.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var all = rows.length === Number(table.getAttribute("data-total"));  // else --max-rows cut the table
    counter.textContent = shown === rows.length ? (all ? "All " : "The newest ") + rows.length + " events" :
      shown + " of " + rows.length + " events match";
    table.setAttribute("data-shown", String(shown));
  }

  var sortState = { col: -1, dir: 1 };
  function sortBy(col) {
    sortState.dir = sortState.col === col ? -sortState.dir : 1;
    sortState.col = col;
    var keyed = rows.map(function (r, i) {
      var cell = r.cells[col];
      var key = cell.getAttribute("data-sort");
      return { r: r, i: i, key: key === null ? cell.textContent.toLowerCase() : key };
    });
    keyed.sort(function (a, b) {
      var x = a.key, y = b.key;
      var nx = parseFloat(x), ny = parseFloat(y);
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : (x < y ? -1 : (x > y ? 1 : 0));
      return c !== 0 ? c * sortState.dir : a.i - b.i;
    });
    keyed.forEach(function (k) { body.appendChild(k.r); });
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    th.addEventListener("click", function () { sortBy(col); });
  });

  input.addEventListener("input", apply);
  quad.addEventListener("change", apply);
  var m = /[#&]q=([^&]*)/.exec(window.location.hash);
  if (m) {
    var q = m[1].replace(/\+/g, " ");
    try { q = decodeURIComponent(q); } catch (e) { /* a malformed escape (#q=%E0%A4%A): the text as given */ }
    input.value = q;
  }
  apply();
  document.documentElement.setAttribute("data-report-ready", "1");
})();
