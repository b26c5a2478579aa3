// The modeler's drafts (issue #12 item 5): save the drawn model as the matter variant's draft, discard it, deploy
// it (the upload's check and deploy), and simulate it (a forecast beside the deployed version it would replace).
// The matter.yaml sent with it is the text of <textarea id="matter-yaml"> (kept current by the matter editor,
// which dispatches `matter-yaml-changed` on it); an empty text sends none (the deployed one is used).
(function () {
  "use strict";
  var form = document.getElementById("modeler-check");
  var bar = document.getElementById("modeler-drafts");
  var modeler = window.oneThingModeler;
  if (!form || !bar || !modeler) { return; }
  var words = JSON.parse(bar.getAttribute("data-words"));
  var status = document.getElementById("draft-status");
  var yaml = document.getElementById("matter-yaml");
  var table = document.getElementById("modeler-forecast");
  var summary = document.getElementById("modeler-forecast-summary");
  var busy = false;

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (whole, key) { return key in values ? String(values[key]) : whole; });
  }

  function say(text, state, link) {
    status.textContent = text;
    status.setAttribute("data-state", state);
    if (link) {
      var a = document.createElement("a");
      a.href = link;
      a.textContent = words.versions;
      status.appendChild(document.createTextNode(" "));
      status.appendChild(a);
    }
  }

  function target() {
    var matter = (form.elements.matter_id.value || "").trim();
    return matter ? bar.getAttribute("data-drafts-url") + "/" + encodeURIComponent(matter) + "/" +
      encodeURIComponent(form.elements.variant.value) : null;
  }

  function files(body) {
    return modeler.saveXML({ format: true }).then(function (saved) {
      body.append("bpmn", new Blob([saved.xml], { type: "application/xml" }), form.getAttribute("data-file-name"));
      if (yaml && yaml.value.trim()) {
        body.append("matter_yaml", new Blob([yaml.value], { type: "application/yaml" }), "matter.yaml");
      }
      return body;
    });
  }

  function send(method, url, body) {
    var headers = { "Accept": "application/json", "X-CSRF-Token": form.elements.csrf_token.value };
    var options = { method: method, credentials: "same-origin", headers: headers };
    if (body) { options.body = body; }
    return fetch(url, options).then(function (response) {
      if (response.status === 204) { return { ok: true, json: {} }; }
      return response.json().then(function (json) { return { ok: response.ok, json: json }; });
    });
  }

  function refused(answer) {
    var error = answer.json && answer.json.error;
    if (!error) { say(words.failed, "failed"); return; }
    var text = error.message || words.failed;
    if (error.problems && error.problems.length) {
      text = error.problems.map(function (p) {
        return (p.element_id ? p.element_id + ": " : "") + p.message;
      }).join("; ");
    }
    say(text, "failed");
  }

  function figure(value, share) {
    if (value === null || value === undefined) { return "–"; }
    return share ? Math.round(value * 100) + "%" : String(value);
  }

  function forecast(result) {
    var body = table.tBodies[0];
    body.textContent = "";
    var tableWords = JSON.parse(table.getAttribute("data-words"));
    result.runs.forEach(function (run) {
      var tr = body.insertRow();
      tr.setAttribute("data-run", run.label);
      var name = run.label === "draft" ? tableWords.draft : fill(tableWords.deployed, { n: run.version });
      var done = run.completed + "/" + run.cases + (run.stuck ? " (" + run.stuck + " " + tableWords.stuck + ")" : "");
      [name, figure(run.median_workdays), figure(run.p90_workdays), figure(run.on_time_share, true),
       figure(run.steps_per_case), done].forEach(function (text, i) {
        var cell = i === 0 ? document.createElement("th") : tr.insertCell();
        if (i === 0) { cell.scope = "row"; tr.appendChild(cell); } else { cell.className = "num"; }
        cell.textContent = text;
      });
    });
    table.hidden = false;
    summary.textContent = fill(tableWords.summary, { cases: result.cases, arrivals: result.arrivals,
                                                     seconds: result.seconds });
  }

  var actions = {
    save: function (url) {
      say(words.saving, "working");
      return files(new FormData()).then(function (body) { return send("PUT", url, body); }).then(function (answer) {
        if (!answer.ok) { refused(answer); return; }
        bar.setAttribute("data-has-draft", "yes");
        say(fill(words.saved, { n: answer.json.revision }), "saved");
      });
    },
    discard: function (url) {
      if (!window.confirm(words.confirm)) { return Promise.resolve(); }
      return send("DELETE", url).then(function (answer) {
        if (!answer.ok) { refused(answer); return; }
        bar.setAttribute("data-has-draft", "");
        say(words.discarded, "discarded");
      });
    },
    deploy: function (url) {
      say(words.deploying, "working");
      // what is drawn now is what gets deployed: save it as the draft first, then deploy the draft
      return files(new FormData()).then(function (body) { return send("PUT", url, body); }).then(function (saved) {
        if (!saved.ok) { refused(saved); return null; }
        return send("POST", url + "/deploy");
      }).then(function (answer) {
        if (!answer) { return; }
        if (!answer.ok) { refused(answer); return; }
        var d = answer.json;
        bar.setAttribute("data-has-draft", "");
        say(fill(words[d.status === "new" ? "deployed" : d.status] || words.deployed,
                 { m: d.matter_id, v: d.variant, n: d.version }), "deployed", bar.getAttribute("data-versions-url"));
      });
    },
    simulate: function () {
      say(words.simulating, "working");
      var body = new FormData();
      body.append("matter_id", form.elements.matter_id.value.trim());
      body.append("variant", form.elements.variant.value);
      return files(body).then(function (filled) {
        return send("POST", bar.getAttribute("data-simulate-url"), filled);
      }).then(function (answer) {
        if (!answer.ok) { refused(answer); return; }
        forecast(answer.json);
        say(words.simulated, "simulated");
      });
    }
  };

  bar.addEventListener("click", function (event) {
    var action = event.target.getAttribute && event.target.getAttribute("data-draft-action");
    if (!action || busy) { return; }
    var url = target();
    if (!url) { say(words.need_matter, "failed"); return; }
    busy = true;
    actions[action](url).catch(function () { say(words.failed, "failed"); }).then(function () { busy = false; });
  });
}());
