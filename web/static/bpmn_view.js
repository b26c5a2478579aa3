/* The model in the modeler's own notation: bpmn-js's NavigatedViewer (static/vendor/bpmn-js, global BpmnJS) draws
   the model's BPMN file (fetched from the page's own site: data-xml-url) in #bpmn-view, then the graphviz drawing
   beside it is hidden (a toolbar button shows it again). Until then, and whenever something fails (no bpmn-js,
   the file cannot be fetched or imported), the graphviz drawing stays and the viewer stays hidden.
   #bpmn-data (JSON in the page) gives each element's name and department in the page's language and, on a case
   page, its state (markers ot-done, ot-active, ot-overdue) and the times of each pass, shown on hover or tap.
   No inline script or style attribute (the CSP forbids them): positions are set through the CSSOM. */
(function () {
  "use strict";
  var STEP = 1.25;

  function readData() {
    var node = document.getElementById("bpmn-data");
    if (!node) { return {elements: {}, states: {}}; }
    try { return JSON.parse(node.textContent); } catch (e) { return {elements: {}, states: {}}; }
  }

  function tipContent(tip, item) {
    tip.textContent = "";
    var head = document.createElement("strong");
    head.textContent = item.name || "";
    tip.appendChild(head);
    if (item.department) {
      var dept = document.createElement("div");
      dept.className = "bpmn-tip-dept";
      dept.textContent = item.department;
      tip.appendChild(dept);
    }
    (item.passes || []).forEach(function (lines) {
      var list = document.createElement("ul");
      lines.forEach(function (line) {
        var li = document.createElement("li");
        li.textContent = line;
        list.appendChild(li);
      });
      tip.appendChild(list);
    });
  }

  // The canvas as tall as the model drawn at the canvas's width needs (within 260 px and 70 % of the window):
  // a wide model on a phone gets no empty band above and below it.
  function fitHeight(canvas, node) {
    var inner = canvas.viewbox().inner;
    if (!inner || !inner.width || !node.clientWidth) { return; }
    var wanted = node.clientWidth * inner.height / inner.width + 48;
    node.style.height = Math.round(Math.min(Math.max(wanted, 260), window.innerHeight * 0.7)) + "px";
    canvas.resized();
  }

  // One finger drags the drawing on a touch screen (bpmn-js moves it with a mouse only); the buttons zoom.
  function touchPan(canvas) {
    var node = canvas.getContainer(), last = null;
    node.addEventListener("pointerdown", function (event) {
      if (event.pointerType === "touch") { last = {x: event.clientX, y: event.clientY, id: event.pointerId}; }
    });
    node.addEventListener("pointermove", function (event) {
      if (!last || event.pointerId !== last.id) { return; }
      canvas.scroll({dx: event.clientX - last.x, dy: event.clientY - last.y});
      last = {x: event.clientX, y: event.clientY, id: event.pointerId};
    });
    function stop() { last = null; }
    node.addEventListener("pointerup", stop);
    node.addEventListener("pointercancel", stop);
  }

  function start() {
    var wrap = document.getElementById("bpmn-view");
    if (!wrap || typeof window.BpmnJS !== "function" || !window.fetch) { return; }
    var canvasNode = wrap.querySelector(".bpmn-canvas"), tip = wrap.querySelector(".bpmn-tip");
    var fallback = document.querySelector(".graphviz-view"), data = readData();
    var viewer = null;

    function giveUp(reason) {
      if (viewer) { try { viewer.destroy(); } catch (e) { /* nothing left to clean */ } }
      wrap.hidden = true;
      if (fallback) { fallback.hidden = false; }
      wrap.setAttribute("data-state", "failed");
      if (window.console && console.info) { console.info("bpmn-js viewer not shown: " + reason); }
    }

    fetch(wrap.getAttribute("data-xml-url"), {credentials: "same-origin", headers: {Accept: "application/xml"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (xml) {
        wrap.hidden = false;  // bpmn-js measures its container: it must be shown while it imports
        viewer = new window.BpmnJS({container: canvasNode});
        return viewer.importXML(xml);
      })
      .then(function (result) {
        // what bpmn-js could not read of the file (unknown elements, broken references): counted on the
        // wrapper and named in the console, so a model drawn elsewhere that bpmn-js only half shows is noticed
        var warnings = (result && result.warnings) || [];
        wrap.setAttribute("data-warnings", String(warnings.length));
        warnings.forEach(function (w) { if (window.console && console.warn) { console.warn("bpmn-js: " + w.message); } });
        ready();
      })
      .catch(function (error) { giveUp(error && error.message ? error.message : String(error)); });

    function ready() {
      var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry"), bus = viewer.get("eventBus");
      Object.keys(data.states || {}).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, "ot-" + data.states[id]); }
      });
      if (fallback) { fallback.hidden = true; }
      fitHeight(canvas, canvasNode);
      canvas.zoom("fit-viewport", "auto");
      touchPan(canvas);
      canvasNode.addEventListener("wheel", function (event) {  // a plain wheel scrolls the page, as on graphviz
        if (!event.ctrlKey && !event.metaKey) { event.stopPropagation(); }  // before bpmn-js's handler sees it
      }, true);
      wrap.setAttribute("data-state", "ready");

      var toggle = wrap.querySelector("[data-show-graphviz]");
      wrap.querySelector(".diagram-tools").addEventListener("click", function (event) {
        var button = event.target.closest("button");
        if (!button) { return; }
        var what = button.getAttribute("data-bpmn-zoom");
        if (what === "fit") { canvas.zoom("fit-viewport", "auto"); }
        else if (what === "in") { canvas.zoom(canvas.zoom() * STEP); }
        else if (what === "out") { canvas.zoom(canvas.zoom() / STEP); }
        else if (button === toggle && fallback) {
          fallback.hidden = !fallback.hidden;
          toggle.setAttribute("aria-pressed", fallback.hidden ? "false" : "true");
        }
      });

      var shown = null;
      function show(element, original) {
        var item = (data.elements || {})[element.id];
        if (!item || !original || element.type === "label") { return; }
        tipContent(tip, item);
        tip.hidden = false;
        var box = wrap.getBoundingClientRect(), width = tip.offsetWidth, height = tip.offsetHeight;
        var x = original.clientX - box.left + 14, y = original.clientY - box.top + 14;
        if (x + width > wrap.clientWidth) { x = Math.max(0, wrap.clientWidth - width); }
        if (y + height > wrap.clientHeight) { y = Math.max(0, original.clientY - box.top - height - 14); }
        tip.style.left = x + "px";
        tip.style.top = y + "px";
        shown = element.id;
        tip.setAttribute("data-element-id", element.id);
      }
      function hide() { tip.hidden = true; shown = null; }
      bus.on("element.hover", function (event) { show(event.element, event.originalEvent); });
      bus.on("element.out", function (event) { if (event.element && event.element.id === shown) { hide(); } });
      bus.on("element.click", function (event) {  // a tap on a touch screen: show, tap again: hide
        if (shown === event.element.id) { hide(); } else { show(event.element, event.originalEvent); }
      });
      bus.on("canvas.viewbox.changing", hide);
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
