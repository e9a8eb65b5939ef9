/* Filters that combine and sorting for a cycle's project listing (cycle_projects.html).
   The page works without this script. Rows carry raw values in data attributes (codes,
   amounts, ranks in the municipality's collation); every word residents read comes from
   the page. Text is only ever set with textContent: no HTML is built from strings. */
(function () {
  "use strict";
  var table = document.querySelector("table[data-listing]");
  var form = document.querySelector("form[data-listing-filters]");
  var island = document.getElementById("listing-words");
  if (!table || !form || !island) return;
  var words = JSON.parse(island.textContent);
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var filters = ["parish", "category", "status", "funded"];
  var selects = {};
  filters.concat("sort").forEach(function (name) { selects[name] = form.elements[name]; });
  var count = form.querySelector("[data-listing-count]");

  function matches(row, except) {
    return filters.every(function (name) {
      var want = selects[name].value;
      return name === except || !want || row.dataset[name] === want;
    });
  }

  function number(row, key) { return parseFloat(row.dataset[key]); }

  var orders = {
    "": function (a, b) {
      return (a.dataset.funded === "yes" ? 0 : 1) - (b.dataset.funded === "yes" ? 0 : 1) ||
        number(a, "titleRank") - number(b, "titleRank");
    },
    "amount-desc": function (a, b) { return number(b, "amount") - number(a, "amount"); },
    "amount-asc": function (a, b) { return number(a, "amount") - number(b, "amount"); },
    "title": function (a, b) { return number(a, "titleRank") - number(b, "titleRank"); },
    "parish": function (a, b) {
      return number(a, "parishRank") - number(b, "parishRank") ||
        number(a, "titleRank") - number(b, "titleRank");
    }
  };

  function update() {
    var shown = 0;
    rows.forEach(function (row) {
      row.hidden = !matches(row);
      if (!row.hidden) shown += 1;
    });
    // Each choice shows how many projects it would leave, given the other filters.
    filters.forEach(function (name) {
      var select = selects[name];
      Array.prototype.forEach.call(select.options, function (option) {
        var n = rows.filter(function (row) {
          return matches(row, name) && (!option.value || row.dataset[name] === option.value);
        }).length;
        option.textContent = option.dataset.label + " (" + n + ")";
        option.disabled = n === 0 && !option.selected;
      });
    });
    var sort = orders[selects.sort.value] ? selects.sort.value : "";
    rows.slice().sort(function (a, b) {
      return orders[sort](a, b) || number(a, "titleRank") - number(b, "titleRank");
    }).forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
      var key = cell.dataset.sort;
      if (!key) return;
      var on = sort === key || sort.indexOf(key + "-") === 0;
      if (on) cell.setAttribute("aria-sort", sort === "amount-desc" ? "descending" : "ascending");
      else cell.removeAttribute("aria-sort");
    });
    count.textContent = words.count[shown] || String(shown);
    var query = new URLSearchParams();
    filters.concat("sort").forEach(function (name) {
      if (selects[name].value) query.set(name, selects[name].value);
    });
    var search = query.toString() ? "?" + query.toString() : "";
    if (search !== location.search) {
      history.replaceState(null, "", (search || location.pathname) + location.hash);
    }
  }

  // A shared or reloaded address brings its filters back (unknown values are ignored).
  var given = new URLSearchParams(location.search);
  filters.concat("sort").forEach(function (name) {
    var value = given.get(name);
    var select = selects[name];
    if (value && Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
      select.value = value;
    }
  });

  // Column headings sort too: the heading's words become a button.
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
    var key = cell.dataset.sort;
    if (!key) return;
    var button = document.createElement("button");
    button.type = "button";
    while (cell.firstChild) button.appendChild(cell.firstChild);
    cell.appendChild(button);
    button.addEventListener("click", function () {
      var sort = selects.sort;
      sort.value = key !== "amount" ? key : sort.value === "amount-desc" ? "amount-asc" : "amount-desc";
      update();
    });
  });

  form.addEventListener("change", update);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () { setTimeout(update, 0); });
  form.hidden = false;
  var choices = document.querySelector("[data-listing-choices]");
  if (choices) choices.open = false;  // the filters do their work; the links stay a tap away
  update();
}());
