// The modeler's lanes as departments (docs/modeling.md, "Lanes"; engine/model/lanes.py): which department a lane
// stands for, and moving a step into a department's lane through bpmn-js commands (undoable), adding the lane
// (id = the department's id, name = its name) when the diagram has none for it. Used by modeler_panel.js.
(function () {
  "use strict";
  var APPLICANT_NAMES = ["申请人", "applicant", "citizen", "申请人（群众）", "申请人(群众)"];
  var SPIFF_PROPERTIES = "spiffworkflow:properties";

  function fold(text) { return (text || "").trim().toLowerCase(); }

  function isApplicant(lane) {
    var bo = lane.businessObject;
    if (bo.id === "Applicant" || APPLICANT_NAMES.indexOf(fold(bo.name)) >= 0) { return true; }
    var ext = bo.extensionElements;
    return ((ext && ext.values) || []).some(function (v) {
      return v.$type === SPIFF_PROPERTIES && (v.$children || []).some(function (p) {
        return p.name === "applicant" && fold(p.value) === "true";
      });
    });
  }

  // The department key of a lane: "Applicant", a department id, or the lane's own id (lanes.py's rule).
  function department(lane, departments) {
    var bo = lane.businessObject;
    if (isApplicant(lane)) { return "Applicant"; }
    if (departments.some(function (d) { return d.id === bo.id; })) { return bo.id; }
    var name = fold(bo.name);
    var named = name && departments.filter(function (d) { return fold(d.zh) === name || fold(d.en) === name; })[0];
    return named ? named.id : bo.id;
  }

  function lanes(modeler) {
    return modeler.get("elementRegistry").filter(function (e) { return e.type === "bpmn:Lane"; });
  }

  // The innermost lane holding the step (a child lane comes after its parent), or null.
  function laneOf(modeler, element) {
    var holding = lanes(modeler).filter(function (lane) {
      return (lane.businessObject.flowNodeRef || []).indexOf(element.businessObject) >= 0;
    });
    return holding.length ? holding[holding.length - 1] : null;
  }

  function laneFor(modeler, key, departments) {
    return lanes(modeler).filter(function (lane) {
      return !(lane.children || []).some(function (c) { return c.type === "bpmn:Lane"; }) &&
        department(lane, departments) === key;
    })[0] || null;
  }

  // A new lane for the department, below the last one (or in the only participant); null when the diagram has
  // neither lanes nor a participant to put one in.
  function addLane(modeler, key, name) {
    var registry = modeler.get("elementRegistry");
    var modeling = modeler.get("modeling");
    var all = lanes(modeler).filter(function (l) { return !(l.children || []).some(function (c) {
      return c.type === "bpmn:Lane"; }); });
    var below = all.sort(function (a, b) { return (a.y + a.height) - (b.y + b.height); }).pop();
    var where = below || registry.filter(function (e) { return e.type === "bpmn:Participant"; })[0];
    if (!where) { return null; }
    var lane = modeling.addLane(where, "bottom");
    var props = { name: name };
    if (!registry.get(key)) { props.id = key; }
    modeling.updateProperties(lane, props);
    return lane;
  }

  // Move the step into the department's lane (its centre to the lane's middle, same x). False: no lane possible.
  function moveTo(modeler, element, key, name, departments) {
    var lane = laneFor(modeler, key, departments) || addLane(modeler, key, name);
    if (!lane) { return false; }
    var dy = (lane.y + lane.height / 2) - (element.y + element.height / 2);
    var dx = element.x < lane.x ? lane.x + 40 - element.x : 0;
    if (dy || dx) { modeler.get("modeling").moveElements([element], { x: dx, y: dy }, element.parent); }
    return true;
  }

  // The departments a step may go to: the matter's, the lanes the diagram has, the applicant's.
  function options(modeler, departments, applicantName) {
    var found = [{ id: "Applicant", name: applicantName }];
    departments.forEach(function (d) { found.push({ id: d.id, name: d.name }); });
    lanes(modeler).forEach(function (lane) {
      var key = department(lane, departments);
      if (!found.some(function (o) { return o.id === key; })) {
        found.push({ id: key, name: lane.businessObject.name || key });
      }
    });
    return found;
  }

  window.oneThingLanes = { department: department, laneOf: laneOf, moveTo: moveTo, options: options };
}());
