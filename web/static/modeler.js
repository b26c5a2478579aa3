// The designer's modeler (bpmn-js Modeler, vendored): open a deployed version or a new model, and after every
// change (debounced) run the server's check on the current XML, as deploying would; mark each problem on the
// element it names and list it. Download gives the drawn file. No inline script: the page's CSP allows none.
(function () {
  "use strict";
  var form = document.getElementById("modeler-check");
  var canvasEl = document.getElementById("modeler");
  if (!form || !canvasEl || typeof window.BpmnJS !== "function") { return; }
  var status = document.getElementById("modeler-status");
  var list = document.getElementById("modeler-problems");
  var download = document.getElementById("modeler-download");
  var BLANK = '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" ' +
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" ' +
    'id="Definitions_1" targetNamespace="http://onething/model">\n' +
    '  <bpmn:process id="Process_1" isExecutable="true"><bpmn:startEvent id="StartEvent_1"/></bpmn:process>\n' +
    '  <bpmndi:BPMNDiagram id="BPMNDiagram_1"><bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Process_1">' +
    '<bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1"><dc:Bounds x="180" y="160" width="36" ' +
    'height="36"/></bpmndi:BPMNShape></bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n</bpmn:definitions>\n';
  var modeler = new window.BpmnJS({ container: canvasEl });
  var marked = [];
  var timer = null;
  var running = 0;

  function say(text, state) {
    status.textContent = text;
    form.setAttribute("data-state", state);
  }

  function unmark() {
    var canvas = modeler.get("canvas");
    marked.forEach(function (id) { canvas.removeMarker(id, "ot-problem"); });
    marked = [];
  }

  function show(problems) {
    var registry = modeler.get("elementRegistry");
    var canvas = modeler.get("canvas");
    unmark();
    list.textContent = "";
    problems.forEach(function (problem) {
      var item = document.createElement("li");
      var where = problem.element_id ? problem.element_id : (problem.line ? "line " + problem.line : "");
      item.textContent = (where ? where + ": " : "") + problem.message;
      item.setAttribute("data-element-id", problem.element_id || "");
      list.appendChild(item);
      if (problem.element_id && registry.get(problem.element_id)) {
        canvas.addMarker(problem.element_id, "ot-problem");
        marked.push(problem.element_id);
      }
    });
    say(problems.length ? "" : form.getAttribute("data-valid"), problems.length ? "problems" : "valid");
  }

  var savings = document.getElementById("modeler-savings");

  function figure(value) { return value === null || value === undefined ? "–" : String(value); }

  function compare(result) {
    if (!savings) { return; }
    var body = savings.tBodies[0];
    body.textContent = "";
    if (!result) { savings.hidden = true; return; }
    var labels = JSON.parse(savings.getAttribute("data-labels"));
    var drawn = form.elements.variant.value;
    var heads = savings.tHead.rows[0].cells;
    heads[1].setAttribute("data-drawn", drawn === "before" ? savings.getAttribute("data-drawn") : "");
    heads[2].setAttribute("data-drawn", drawn === "after" ? savings.getAttribute("data-drawn") : "");
    labels.forEach(function (pair) {
      var key = pair[0];
      var row = result.comparison[key];
      if (!row) { return; }
      var tr = body.insertRow();
      tr.setAttribute("data-metric", key);
      var change = row.change === null || row.change === undefined ? "–" : (row.change > 0 ? "+" : "") + row.change;
      [pair[1], figure(row.before), figure(row.after), change].forEach(function (text, i) {
        var cell = i === 0 ? document.createElement("th") : tr.insertCell();
        if (i === 0) { cell.scope = "row"; tr.appendChild(cell); } else { cell.className = "num"; }
        cell.textContent = text;
      });
    });
    savings.hidden = false;
  }

  function check() {
    var mine = ++running;
    say(form.getAttribute("data-checking"), "checking");
    modeler.saveXML({ format: true }).then(function (saved) {
      var body = new FormData(form);
      body.append("bpmn", new Blob([saved.xml], { type: "application/xml" }), form.getAttribute("data-file-name"));
      var token = body.get("csrf_token");
      body.delete("csrf_token");  // the API takes it as a header
      if (!body.get("matter_id")) { body.delete("matter_id"); }
      var edited = document.getElementById("matter-yaml");  // the matter editor's matter.yaml, as deploying sends it
      if (edited && edited.value.trim() && edited.value !== edited.defaultValue) {  // unchanged: the deployed one
        body.append("matter_yaml", new Blob([edited.value], { type: "application/yaml" }), "matter.yaml");
      }
      return fetch(form.getAttribute("action"), { method: "POST", body: body, credentials: "same-origin",
                                                  headers: { "Accept": "application/json", "X-CSRF-Token": token } });
    }).then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, json: json }; });
    }).then(function (answer) {
      if (mine !== running) { return; }  // a newer check is on its way
      if (answer.ok) { show(answer.json.problems || []); compare(answer.json.savings); return; }
      var error = answer.json && answer.json.error;
      if (error && error.problems) { show(error.problems); return; }
      say((error && error.message) || form.getAttribute("data-failed"), "failed");
    }).catch(function () {
      if (mine === running) { say(form.getAttribute("data-failed"), "failed"); }
    });
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(check, 800);
  }

  function open(xml) {
    return modeler.importXML(xml).then(function () {
      modeler.get("canvas").zoom("fit-viewport");
      check();
    }).catch(function () {
      say(form.getAttribute("data-unreadable"), "failed");
    });
  }

  modeler.on("commandStack.changed", later);
  form.addEventListener("submit", function (event) { event.preventDefault(); check(); });
  form.addEventListener("change", later);
  var matterYaml = document.getElementById("matter-yaml");
  if (matterYaml) { matterYaml.addEventListener("matter-yaml-changed", later); }
  download.addEventListener("click", function (event) {
    event.preventDefault();
    modeler.saveXML({ format: true }).then(function (saved) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([saved.xml], { type: "application/xml" }));
      link.download = form.getAttribute("data-file-name");
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  });
  list.addEventListener("click", function (event) {
    var id = event.target.getAttribute("data-element-id");
    var element = id && modeler.get("elementRegistry").get(id);
    if (element) { modeler.get("selection").select(element); modeler.get("canvas").scrollToElement(element); }
  });

  var url = form.getAttribute("data-xml-url");
  if (url) {
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(open).catch(function () { say(form.getAttribute("data-unreadable"), "failed"); });
  } else {
    open(BLANK);
  }
  window.oneThingModeler = modeler;  // for the browser tests and the console
}());
