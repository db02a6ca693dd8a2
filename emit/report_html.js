// pare report: sorting, filtering and paging of the principals table.
// Rows come from the JSON in <script id="pare-rows">; every cell is set
// with textContent, never parsed as HTML.
(function () {
  "use strict";
  var table = document.getElementById("principals");
  var rows = JSON.parse(document.getElementById("pare-rows").textContent);
  var body = table.tBodies[0];
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var filter = document.getElementById("filter");
  var prev = document.getElementById("prev");
  var next = document.getElementById("next");
  var status = document.getElementById("status");
  var pageSize = Number(table.getAttribute("data-page-size")) || 100;
  var DETAIL = 12; // the row field holding the detail's id, -1 for none
  var order = rows.map(function (row, i) { return i; }); // rows arrive sorted by score, highest first
  var state = { key: "score", dir: "desc", query: "", page: 0 };
  var shown = order;

  function header(key) {
    for (var i = 0; i < headers.length; i++) {
      if (headers[i].getAttribute("data-key") === key) {
        return headers[i];
      }
    }
    return null;
  }

  function cell(tr, text, className) {
    var td = document.createElement("td");
    if (className) {
      td.className = className;
    }
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function render() {
    var pages = Math.max(1, Math.ceil(shown.length / pageSize));
    state.page = Math.min(Math.max(state.page, 0), pages - 1);
    var start = state.page * pageSize;
    var end = Math.min(start + pageSize, shown.length);
    var fragment = document.createDocumentFragment();
    for (var k = start; k < end; k++) {
      var row = rows[shown[k]];
      var tr = document.createElement("tr");
      cell(tr, row[0]);
      var name = cell(tr, "", "name");
      if (row[DETAIL] >= 0) {
        var a = document.createElement("a");
        a.href = "#p-" + row[DETAIL];
        a.textContent = row[1];
        name.appendChild(a);
      } else {
        name.textContent = row[1];
      }
      cell(tr, row[2]);
      cell(tr, row[3]);
      for (var c = 4; c < DETAIL; c++) {
        cell(tr, String(row[c]), "num");
      }
      fragment.appendChild(tr);
    }
    body.textContent = "";
    body.appendChild(fragment);
    status.textContent = shown.length === 0 ? "No principals match" :
      "Principals " + (start + 1) + "–" + end + " of " + shown.length +
      (shown.length < rows.length ? " (filtered from " + rows.length + ")" : "") +
      " · page " + (state.page + 1) + " of " + pages;
    prev.disabled = state.page === 0;
    next.disabled = state.page >= pages - 1;
  }

  function applyFilter() {
    var q = state.query.toLowerCase();
    shown = q === "" ? order : order.filter(function (i) {
      var row = rows[i];
      for (var c = 0; c < 4; c++) {
        if (row[c].toLowerCase().indexOf(q) >= 0) {
          return true;
        }
      }
      return false;
    });
  }

  function remember() {
    var hash = "#sort=" + state.key + "-" + state.dir;
    if (state.page > 0) {
      hash += "&page=" + (state.page + 1);
    }
    if (state.query !== "") {
      hash += "&q=" + encodeURIComponent(state.query);
    }
    try {
      history.replaceState(null, "", hash);
    } catch (e) {
      // Some browsers refuse history changes on file: URLs; the state
      // then just is not kept in the address.
    }
  }

  // sortBy sorts the principals by the column whose data-key is key, in
  // direction dir ("asc" or "desc"): numbers numerically, text by code
  // point, ties in score order (the sort is stable). A header click and a
  // #sort=KEY-DIR fragment both call it.
  function sortBy(key, dir) {
    var th = header(key);
    if (th === null || (dir !== "asc" && dir !== "desc")) {
      return false;
    }
    var col = Number(th.getAttribute("data-col"));
    var numeric = th.getAttribute("data-type") === "num";
    var sign = dir === "asc" ? 1 : -1;
    order.sort(function (i, j) {
      var x = rows[i][col];
      var y = rows[j][col];
      var c = numeric ? x - y : (x < y ? -1 : x > y ? 1 : 0);
      return c !== 0 ? sign * c : i - j;
    });
    headers.forEach(function (h) {
      h.setAttribute("aria-sort", h === th ? (dir === "asc" ? "ascending" : "descending") : "none");
    });
    state.key = key;
    state.dir = dir;
    state.page = 0;
    applyFilter();
    render();
    return true;
  }

  // A click on a header sorts by its column: first in the column's usual
  // direction (numbers highest first), then the other way round.
  headers.forEach(function (th) {
    th.addEventListener("click", function () {
      var key = th.getAttribute("data-key");
      var dir = th.getAttribute("data-first");
      if (state.key === key) {
        dir = state.dir === "asc" ? "desc" : "asc";
      }
      sortBy(key, dir);
      remember();
    });
  });

  prev.addEventListener("click", function () {
    state.page--;
    render();
    remember();
  });
  next.addEventListener("click", function () {
    state.page++;
    render();
    remember();
  });
  filter.addEventListener("input", function () {
    state.query = filter.value;
    state.page = 0;
    applyFilter();
    render();
    remember();
  });

  // applyFragment restores a view from the address: #sort=KEY-DIR,
  // &page=N (from 1), &q=TEXT (the filter), and &click=KEY,KEY,... which
  // clicks those headers in turn, as a user would. #p-N opens principal N's
  // detail.
  function applyFragment() {
    var hash = location.hash.replace(/^#/, "");
    if (/^p-[0-9]+$/.test(hash)) {
      var detail = document.getElementById(hash);
      if (detail !== null) {
        detail.open = true;
        detail.scrollIntoView();
      }
      return;
    }
    var params = {};
    hash.split("&").forEach(function (part) {
      var eq = part.indexOf("=");
      if (eq > 0) {
        try {
          params[part.slice(0, eq)] = decodeURIComponent(part.slice(eq + 1));
        } catch (e) {
          // A malformed escape: ignore that parameter.
        }
      }
    });
    if (typeof params.q === "string") {
      state.query = params.q;
      filter.value = params.q;
    }
    var m = /^(.+)-(asc|desc)$/.exec(params.sort || "");
    if (m === null || !sortBy(m[1], m[2])) {
      applyFilter();
      render();
    }
    if (params.click) {
      params.click.split(",").forEach(function (key) {
        var th = header(key);
        if (th !== null) {
          th.click();
        }
      });
    }
    var page = parseInt(params.page, 10);
    if (page > 1) {
      state.page = page - 1;
      render();
    }
  }

  window.addEventListener("hashchange", applyFragment);
  applyFragment();
})();
