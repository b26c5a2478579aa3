/* Zoom, pan and fit for every drawing (.diagram-wrap holding svg.diagram), by changing the SVG's viewBox: the
   drawing stays vector, so labels stay sharp at any zoom. No inline style is set (the CSP forbids it); a class
   switches the wrap from "scroll the whole drawing" (the page without script) to "a viewport on it".
   Controls: the toolbar's buttons (labels rendered by the server in the page's language), Ctrl (or ⌘) + wheel
   or a trackpad pinch zooms at the pointer (a plain wheel still scrolls the page), drag pans, and on the
   focused drawing + / − / 0 zoom in, out and fit, arrow keys pan. */
(function () {
  "use strict";
  var STEP = 1.25, MIN = 0.5, MAX = 40;

  function enhance(wrap) {
    var svg = wrap.querySelector("svg.diagram"), tools = wrap.querySelector(".diagram-tools");
    if (!svg || !tools) { return; }
    var parts = (svg.getAttribute("viewBox") || "").split(/[\s,]+/).map(Number);
    if (parts.length !== 4 || parts.some(isNaN) || parts[2] <= 0 || parts[3] <= 0) { return; }
    var home = {x: parts[0], y: parts[1], w: parts[2], h: parts[3]};
    var view = {x: home.x, y: home.y, w: home.w, h: home.h};

    function apply() {
      svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" "));
      wrap.setAttribute("data-zoom-level", (home.w / view.w).toFixed(2));
    }
    function fit() { view = {x: home.x, y: home.y, w: home.w, h: home.h}; apply(); }
    function toUser(clientX, clientY) {
      var ctm = svg.getScreenCTM(), point = svg.createSVGPoint();
      if (!ctm) { return {x: view.x + view.w / 2, y: view.y + view.h / 2}; }
      point.x = clientX; point.y = clientY;
      return point.matrixTransform(ctm.inverse());
    }
    function zoom(factor, at) {
      var scale = home.w / (view.w / factor);
      if (scale < MIN || scale > MAX) { return; }
      at = at || {x: view.x + view.w / 2, y: view.y + view.h / 2};
      view.x = at.x - (at.x - view.x) / factor;
      view.y = at.y - (at.y - view.y) / factor;
      view.w /= factor; view.h /= factor;
      apply();
    }
    function pan(dxScreen, dyScreen) {
      var ctm = svg.getScreenCTM(), unit = ctm && ctm.a ? 1 / ctm.a : view.w / (svg.clientWidth || 1);
      view.x -= dxScreen * unit; view.y -= dyScreen * unit;
      apply();
    }

    wrap.classList.add("zoomable");
    tools.hidden = false;
    if (!wrap.hasAttribute("tabindex")) { wrap.setAttribute("tabindex", "0"); }
    tools.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-zoom]");
      if (!button) { return; }
      var what = button.getAttribute("data-zoom");
      if (what === "in") { zoom(STEP); } else if (what === "out") { zoom(1 / STEP); } else { fit(); }
    });
    svg.addEventListener("wheel", function (event) {
      if (!event.ctrlKey && !event.metaKey) { return; }
      event.preventDefault();
      zoom(event.deltaY < 0 ? STEP : 1 / STEP, toUser(event.clientX, event.clientY));
    }, {passive: false});
    var drag = null;
    svg.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) { return; }
      drag = {x: event.clientX, y: event.clientY, id: event.pointerId};
      svg.setPointerCapture(event.pointerId);
      wrap.classList.add("dragging");
    });
    svg.addEventListener("pointermove", function (event) {
      if (!drag || event.pointerId !== drag.id) { return; }
      pan(event.clientX - drag.x, event.clientY - drag.y);
      drag.x = event.clientX; drag.y = event.clientY;
    });
    function stop() { drag = null; wrap.classList.remove("dragging"); }
    svg.addEventListener("pointerup", stop);
    svg.addEventListener("pointercancel", stop);
    wrap.addEventListener("keydown", function (event) {
      if (event.target.closest("button") && (event.key === "Enter" || event.key === " ")) { return; }
      var moves = {ArrowLeft: [40, 0], ArrowRight: [-40, 0], ArrowUp: [0, 40], ArrowDown: [0, -40]};
      if (event.key === "+" || event.key === "=") { zoom(STEP); }
      else if (event.key === "-" || event.key === "_") { zoom(1 / STEP); }
      else if (event.key === "0") { fit(); }
      else if (moves[event.key]) { pan(moves[event.key][0], moves[event.key][1]); }
      else { return; }
      event.preventDefault();
    });
    apply();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".diagram-wrap"), enhance);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
