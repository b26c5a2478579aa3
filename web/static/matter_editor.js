// The modeler's matter editor (issue #12 item 2): the matter's names, departments, materials, forms, time limits,
// sources and basis edited as rows. Every change goes to the server (POST /api/matters/yaml), which writes
// matter.yaml in the repository's format and checks it as `onething check` does; the text lands in
// <textarea id="matter-yaml"> and a `matter-yaml-changed` event tells the live check (modeler.js) and the
// properties panel (modeler_panel.js, whose choices follow the edited matter). Problems mark their field.
(function () {
  "use strict";
  var root = document.getElementById("matter-editor");
  var out = document.getElementById("matter-yaml");
  if (!root || !out) { return; }
  var words = JSON.parse(root.getAttribute("data-words") || "{}");
  var lang = (document.documentElement.lang || "zh").indexOf("zh") === 0 ? "zh" : "en";
  var body = root.querySelector(".matter-body");
  var status = root.querySelector(".matter-status");
  var list = root.querySelector(".matter-problems");
  var token = (document.querySelector("#modeler-check input[name=csrf_token]") || {}).value || "";
  var state = null;
  var timer = null;
  var running = 0;
  var AFTER = ["applicant", "shared", "e_certificate", "not_needed"];
  var TYPES = ["text", "integer", "number", "date", "boolean", "choice", "resident_id", "phone", "email",
               "bank_account"];
  var FIGURES = ["steps", "applicant_steps", "trips", "materials", "submissions", "forms", "departments",
                 "handoffs", "expected_days", "time_limit_days"];

  function get(path) {
    return path.split(".").reduce(function (at, key) { return at === undefined || at === null ? at : at[key]; },
                                  state);
  }

  function set(path, value) {
    var keys = path.split(".");
    var at = state;
    keys.slice(0, -1).forEach(function (key, i) {
      if (at[key] === undefined || at[key] === null || typeof at[key] !== "object") {
        at[key] = /^\d+$/.test(keys[i + 1]) ? [] : {};
      }
      at = at[key];
    });
    at[keys[keys.length - 1]] = value;
  }

  function named(names) { return (names && (names[lang] || names.zh || names.en)) || ""; }

  function choicesOf() {  // what the properties panel offers, from the edited matter
    function pair(item) {
      var names = item.names || {};
      return { id: item.id, name: named(names) || item.id, zh: names.zh || "", en: names.en || "" };
    }
    return { materials: (state.materials || []).filter(function (m) { return m.id; }).map(pair),
             forms: (state.forms || []).filter(function (f) { return f.id; }).map(pair),
             departments: (state.departments || []).filter(function (d) { return d.id; }).map(pair) };
  }

  function say(text, which) { status.textContent = text; root.setAttribute("data-state", which); }

  function send() {
    var mine = ++running;
    say(words.writing, "writing");
    fetch(root.getAttribute("data-yaml-url"), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify({ structure: state, matter_id: root.getAttribute("data-matter-id") || undefined })
    }).then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, json: json }; });
    }).then(function (answer) {
      if (mine !== running) { return; }
      if (!answer.ok) { say((answer.json.error && answer.json.error.message) || words.failed, "failed"); return; }
      out.value = answer.json.yaml;
      out.dispatchEvent(new CustomEvent("matter-yaml-changed", { detail: { choices: choicesOf(),
                                                                           source: "matter-editor" } }));
      show(answer.json.problems || []);
    }).catch(function () { if (mine === running) { say(words.failed, "failed"); } });
  }

  function later() { clearTimeout(timer); timer = setTimeout(send, 500); }

  function show(problems) {
    Array.prototype.forEach.call(root.querySelectorAll(".ot-invalid"), function (el) {
      el.classList.remove("ot-invalid");
      el.removeAttribute("aria-invalid");
      el.removeAttribute("title");
    });
    list.textContent = "";
    problems.forEach(function (problem) {
      var where = problem.element_id || "";
      var item = document.createElement("li");
      item.textContent = (where ? where + ": " : "") + problem.message;
      item.setAttribute("data-problem", where);
      list.appendChild(item);
      var parts = where.split(".");
      for (var n = parts.length; n > 0; n--) {  // the field itself, else its row
        var path = parts.slice(0, n).join(".");
        var found = Array.prototype.filter.call(root.querySelectorAll("[data-check]"), function (el) {
          return el.getAttribute("data-check").split(" ").indexOf(path) >= 0;
        });
        if (found.length) {
          found.forEach(function (el) {
            el.classList.add("ot-invalid");
            el.setAttribute("aria-invalid", "true");
            el.title = problem.message;
          });
          break;
        }
      }
    });
    say(problems.length ? words.problems : words.valid, problems.length ? "problems" : "valid");
  }

  function control(path, check, kind, options) {
    var value = get(path);
    var el;
    if (kind === "select") {
      el = document.createElement("select");
      options.forEach(function (option) {
        var o = document.createElement("option");
        o.value = option[0];
        o.textContent = option[1];
        o.selected = String(value === undefined || value === null ? "" : value) === option[0];
        el.appendChild(o);
      });
    } else if (kind === "textarea") {
      el = document.createElement("textarea");
      el.rows = 6;
      el.value = value || "";
    } else {
      el = document.createElement("input");
      el.type = kind === "checkbox" ? "checkbox" : "text";
      if (kind === "number") { el.inputMode = "decimal"; }
      if (kind === "checkbox") { el.checked = value === true; } else if (kind === "json") {
        el.value = value === undefined ? "" : (typeof value === "string" ? value : JSON.stringify(value));
      } else {
        el.value = value === undefined || value === null ? "" : String(value);
      }
    }
    el.setAttribute("data-path", path);
    el.setAttribute("data-check", check);
    el.setAttribute("aria-label", options && options.label ? options.label : path);
    el.addEventListener("change", function () {
      set(path, kind === "checkbox" ? el.checked : kind === "json" ? json(el.value) : el.value);
      if (el.getAttribute("data-rerender")) { render(); }
      later();
    });
    return el;
  }

  function json(text) {  // a scenario's data as JSON; text that is no JSON goes as it is, for the check to name
    try { return JSON.parse(text); } catch (e) { return text; }
  }

  function button(text, action, cls) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button " + (cls || "secondary");
    b.textContent = text;
    b.addEventListener("click", function () { action(); render(); later(); });
    return b;
  }

  // A table of rows at `listPath`: columns [key, label, kind, options?]; `check(i, row)` the row's path as the
  // server names it; `blank()` a new row; `after(tbody, i, row)` extra rows below one (a field's choices).
  function table(listPath, check, columns, blank, after) {
    var rows = get(listPath);
    if (!Array.isArray(rows)) { set(listPath, []); rows = get(listPath); }
    var t = document.createElement("table");
    t.className = "table matter-rows";
    t.setAttribute("data-rows", listPath);
    var head = t.createTHead().insertRow();
    columns.concat([["", ""]]).forEach(function (c) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = c[1];
      head.appendChild(th);
    });
    var tbody = t.createTBody();
    rows.forEach(function (row, i) {
      var tr = tbody.insertRow();
      tr.setAttribute("data-check", check(i, row));
      columns.forEach(function (c) {
        var el = control(listPath + "." + i + "." + c[0], check(i, row) + "." + c[0], c[2],
                         c[2] === "select" ? c[3] : { label: c[1] });
        if (c[4]) { el.setAttribute("data-rerender", "1"); }
        if (c[0] === "id" && listPath === "forms") {  // a bad form id is named by its key
          el.setAttribute("data-check", el.getAttribute("data-check") + " forms." + (row.id || ""));
        }
        tr.insertCell().appendChild(el);
      });
      tr.insertCell().appendChild(button(words.remove, function () { rows.splice(i, 1); }, "secondary small"));
      if (after) { after(tbody, i, row); }
    });
    var wrap = document.createElement("div");
    wrap.className = "table-wrap";
    wrap.appendChild(t);
    wrap.appendChild(button(words.add, function () { rows.push(blank()); }, "secondary small"));
    return wrap;
  }

  function part(title, content, open) {
    var box = document.createElement("details");
    box.open = !!open;
    var summary = document.createElement("summary");
    summary.textContent = title;
    box.appendChild(summary);
    content.forEach(function (c) { box.appendChild(c); });
    body.appendChild(box);
  }

  function options(values, labels) { return values.map(function (v) { return [v, (labels || {})[v] || v]; }); }

  function names(prefix) { return [[prefix + ".zh", words.name_zh, "text"], [prefix + ".en", words.name_en, "text"]]; }

  function fieldRows(tbody, i) {  // below a form: its fields, each choice field with its choices
    var form = state.forms[i];
    var key = "forms." + (form.id || i);
    var tr = tbody.insertRow();
    var cell = tr.insertCell();
    cell.colSpan = 5;
    cell.appendChild(table("forms." + i + ".fields", function (j) { return key + ".fields." + j; }, [
      ["name", words.field, "text"], ["type", words.type, "select", options(TYPES), true],
      ["required", words.required, "checkbox"]].concat(names("labels")).concat([
      ["max_length", words.max_length, "number"], ["min", words.min, "number"], ["max", words.max, "number"],
      ["past", words.past, "checkbox"], ["example", words.example, "text"]]),
      function () { return { name: "", type: "text", required: false, labels: { zh: "", en: "" } }; },
      function (fields, j, field) {
        if (field.type !== "choice") { return; }
        var sub = fields.insertRow().insertCell();
        sub.colSpan = 11;
        sub.appendChild(table("forms." + i + ".fields." + j + ".choices",
          function (k) { return key + ".fields." + j + ".choices." + k; },
          [["value", words.value, "text"]].concat(names("labels")),
          function () { return { value: "", labels: { zh: "", en: "" } }; }));
      }));
  }

  function render() {
    body.textContent = "";
    state.time_limits = state.time_limits || {};
    part(words.matter, [
      table("departments", function (i) { return "departments." + i; }, [["id", words.id, "text"]]
        .concat(names("names")), function () { return { id: "", names: { zh: "", en: "" } }; })], false);
    var heads = document.createElement("div");
    heads.className = "matter-names";
    [["names.zh", words.matter_zh], ["names.en", words.matter_en], ["category", words.category]].forEach(function (c) {
      var label = document.createElement("label");
      label.textContent = c[1] + " ";
      label.appendChild(control(c[0], c[0], "text", { label: c[1] }));
      heads.appendChild(label);
    });
    body.firstChild.insertBefore(heads, body.firstChild.children[1]);
    part(words.materials, [table("materials", function (i) { return "materials." + i; },
      [["id", words.id, "text"]].concat(names("names")).concat([["after", words.after, "select",
        options(AFTER, words.after_kinds)]]),
      function () { return { id: "", names: { zh: "", en: "" }, after: "applicant" }; })], true);
    part(words.forms, [table("forms", function (i, f) { return "forms." + (f.id || i); },
      [["id", words.id, "text", null, true]].concat(names("names")).concat([["filled_by", words.filled_by, "select",
        options(["applicant", "clerk"], words.filled_by_kinds)]]),
      function () { return { id: "", names: { zh: "", en: "" }, filled_by: "applicant", fields: [] }; },
      fieldRows)], false);
    var limits = document.createElement("div");
    [["before", words.before], ["after", words.after_variant]].forEach(function (c) {
      var label = document.createElement("label");
      label.textContent = c[1] + " ";
      label.appendChild(control("time_limits." + c[0], "time_limits." + c[0], "number", { label: c[1] }));
      limits.appendChild(label);
    });
    part(words.time_limits, [limits], false);
    part(words.sources, [table("sources", function (i) { return "sources." + i; }, [
      ["figure", words.figure, "select", options(FIGURES)], ["variant", words.variant, "select",
        options(["before", "after"])], ["value", words.value, "number"], ["unit", words.unit, "text"],
      ["scope", words.scope, "select", options(["national", "province", "city"])], ["place", words.place, "text"],
      ["source", words.source, "text"], ["place_zh", words.place_zh, "text"], ["unit_zh", words.unit_zh, "text"],
      ["source_zh", words.source_zh, "text"], ["url", words.url, "text"]],
      function () { return { figure: "steps", variant: "after", value: "", scope: "city", place: "", source: "" }; })],
      false);
    part(words.basis, [control("basis", "basis", "textarea", { label: words.basis })], false);
    part(words.scenarios, [table("scenarios", function (i) { return "scenarios." + i; }, [
      ["name", words.scenario, "text"], ["variant", words.variant, "select", options(["before", "after"])],
      ["data", words.data, "json"]], function () { return { name: "", variant: "after", data: {} }; })], false);
  }

  function start(structure) {
    state = structure;
    render();
    root.hidden = false;
    say("", "ready");  // the text stays the deployed matter.yaml until the designer changes something
  }

  list.addEventListener("click", function (event) {  // a listed problem: open its part, go to its field
    var marked = root.querySelector(".ot-invalid");
    var path = event.target.getAttribute("data-problem") || "";
    var field = Array.prototype.filter.call(root.querySelectorAll(".ot-invalid"), function (el) {
      return (el.title || "") && path.indexOf(el.getAttribute("data-check").split(" ")[0]) === 0;
    })[0] || marked;
    if (!field) { return; }
    for (var at = field.parentNode; at && at !== root; at = at.parentNode) {
      if (at.tagName === "DETAILS") { at.open = true; }
    }
    field.focus();
  });

  // Someone else put a matter.yaml in the textarea (a draft opened with its own): edit that one from now on.
  out.addEventListener("matter-yaml-changed", function (event) {
    if (event.detail && event.detail.source === "matter-editor") { return; }
    var mine = ++running;
    fetch(root.getAttribute("data-yaml-url"), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify({ yaml: out.value, matter_id: root.getAttribute("data-matter-id") || undefined })
    }).then(function (response) { return response.json(); }).then(function (json) {
      if (mine !== running || !json.structure) { return; }
      state = json.structure;
      render();
      show(json.problems || []);
      out.dispatchEvent(new CustomEvent("matter-yaml-changed", { detail: { choices: choicesOf(),
                                                                           source: "matter-editor" } }));
    }).catch(function () { if (mine === running) { say(words.failed, "failed"); } });
  });

  var url = root.getAttribute("data-editor-url");
  if (!url) {
    start({ id: root.getAttribute("data-matter-id") || "", names: { zh: "", en: "" }, category: "",
            departments: [], materials: [], time_limits: {}, forms: [], sources: [], scenarios: [] });
    return;
  }
  fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (response) {
    return response.json().then(function (json) { return { ok: response.ok, json: json }; });
  }).then(function (answer) {
    if (!answer.ok) {  // e.g. a designer of another department: say why, edit nothing
      root.hidden = false;
      say((answer.json.error && answer.json.error.message) || words.failed, "failed");
      return;
    }
    start(answer.json.structure);
  }).catch(function () { say(words.failed, "failed"); });
  window.oneThingMatterEditor = { state: function () { return state; }, send: send };
}());
