// The modeler's OneThing properties panel: the step annotations of docs/modeling.md (name_en, trip, materials,
// form, duration, time_limit) edited as a form for the selected step, written as spiffworkflow:property
// elements through bpmn-js commands (so undo works and the live check runs). No hand-written XML.
(function () {
  "use strict";
  var panel = document.getElementById("modeler-panel");
  if (!panel) { return; }
  var SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core";
  var STEPS = ["bpmn:UserTask", "bpmn:ManualTask", "bpmn:ServiceTask", "bpmn:SendTask", "bpmn:ReceiveTask"];
  var choices = JSON.parse(panel.getAttribute("data-choices") || "{}");
  var words = JSON.parse(panel.getAttribute("data-words") || "{}");
  var fields = panel.querySelector(".panel-fields");
  var hint = panel.querySelector(".panel-hint");

  function modeler() { return window.oneThingModeler; }

  function propertiesOf(bo) {
    var ext = bo.extensionElements;
    return ext && (ext.values || []).filter(function (v) { return v.$type === "spiffworkflow:properties"; })[0];
  }

  function read(bo, name) {
    var props = propertiesOf(bo);
    var found = props && (props.$children || []).filter(function (c) { return c.name === name; })[0];
    return found ? found.value : null;
  }

  function write(element, name, value) {
    var m = modeler();
    var moddle = m.get("moddle");
    var modeling = m.get("modeling");
    var bo = element.businessObject;
    var props = propertiesOf(bo);
    var existing = props && (props.$children || []).filter(function (c) { return c.name === name; })[0];
    if (existing) {
      if (value === null) {
        modeling.updateModdleProperties(element, props, { $children: props.$children.filter(function (c) {
          return c !== existing; }) });
      } else if (existing.value !== value) {
        modeling.updateModdleProperties(element, existing, { value: value });
      }
      return;
    }
    if (value === null) { return; }
    var property = moddle.createAny("spiffworkflow:property", SPIFF, { name: name, value: value });
    if (props) {
      modeling.updateModdleProperties(element, props, { $children: (props.$children || []).concat([property]) });
      return;
    }
    props = moddle.createAny("spiffworkflow:properties", SPIFF, {});
    props.$children = [property];
    var ext = bo.extensionElements;
    if (ext) {
      modeling.updateModdleProperties(element, ext, { values: (ext.values || []).concat([props]) });
    } else {
      modeling.updateProperties(element, { extensionElements: moddle.create("bpmn:ExtensionElements",
                                                                             { values: [props] }) });
    }
  }

  function department(element) {  // the select of the step's department: choosing one moves it to that lane
    var lanes = window.oneThingLanes;
    var m = modeler();
    var departments = choices.departments || [];
    var lane = lanes.laneOf(m, element);
    var current = lane ? lanes.department(lane, departments) : "";
    var select = document.createElement("select");
    select.id = "p-department";
    var known = lanes.options(m, departments, words.applicant);
    if (!current) { known.unshift({ id: "", name: words.none }); }
    known.forEach(function (d) {
      var option = document.createElement("option");
      option.value = d.id;
      option.textContent = d.name + (d.id && d.id !== "Applicant" ? " (" + d.id + ")" : "");
      option.selected = d.id === current;
      select.appendChild(option);
    });
    select.addEventListener("change", function () {
      var chosen = known.filter(function (d) { return d.id === select.value; })[0];
      if (chosen && chosen.id && !lanes.moveTo(m, element, chosen.id, chosen.name, departments)) {
        select.value = current;
        window.alert(words.no_lane);
      }
    });
    return select;
  }

  function row(labelText, control) {
    var wrap = document.createElement("div");
    wrap.className = "field";
    var label = document.createElement("label");
    label.textContent = labelText;
    if (control.id) { label.htmlFor = control.id; }
    wrap.appendChild(label);
    wrap.appendChild(control);
    fields.appendChild(wrap);
    return control;
  }

  function input(id, value, type) {
    var control = document.createElement("input");
    control.id = id;
    control.type = type || "text";
    if (control.type === "checkbox") { control.checked = value === "true"; } else { control.value = value || ""; }
    return control;
  }

  function render(element) {
    fields.textContent = "";
    if (!element) { hint.hidden = false; fields.hidden = true; return; }
    hint.hidden = true;
    fields.hidden = false;
    var bo = element.businessObject;
    row(words.department, department(element));
    var name = row(words.name, input("p-name", bo.name));
    name.addEventListener("change", function () { modeler().get("modeling").updateLabel(element, name.value); });
    var nameEn = row("name_en", input("p-name_en", read(bo, "name_en")));
    nameEn.addEventListener("change", function () { write(element, "name_en", nameEn.value.trim() || null); });
    var trip = row(words.trip, input("p-trip", read(bo, "trip"), "checkbox"));
    trip.addEventListener("change", function () { write(element, "trip", trip.checked ? "true" : "false"); });
    var chosen = (read(bo, "materials") || "").split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    if ((choices.materials || []).length) {
      var box = document.createElement("fieldset");
      box.id = "p-materials";
      choices.materials.forEach(function (material) {
        var item = document.createElement("label");
        var tick = input("p-material-" + material.id, chosen.indexOf(material.id) >= 0 ? "true" : "false", "checkbox");
        tick.value = material.id;
        tick.addEventListener("change", function () {
          var ids = Array.prototype.filter.call(box.querySelectorAll("input"), function (i) { return i.checked; })
            .map(function (i) { return i.value; });
          write(element, "materials", ids.length ? ids.join(",") : null);
        });
        item.appendChild(tick);
        item.appendChild(document.createTextNode(" " + material.name));
        box.appendChild(item);
      });
      row(words.materials, box);
    } else {
      var typed = row(words.materials, input("p-materials", chosen.join(",")));
      typed.addEventListener("change", function () { write(element, "materials", typed.value.trim() || null); });
    }
    if (element.type === "bpmn:UserTask") {
      var form = document.createElement("select");
      form.id = "p-form";
      [{ id: "", name: words.none }].concat(choices.forms || []).forEach(function (f) {
        var option = document.createElement("option");
        option.value = f.id;
        option.textContent = f.id ? f.name + " (" + f.id + ")" : f.name;
        option.selected = (read(bo, "form") || "") === f.id;
        form.appendChild(option);
      });
      row(words.form, form).addEventListener("change", function () { write(element, "form", form.value || null); });
    }
    var duration = row(words.duration, input("p-duration", read(bo, "duration")));
    duration.placeholder = "triangular 1d 2d 5d";
    duration.addEventListener("change", function () { write(element, "duration", duration.value.trim() || null); });
    var limit = row(words.time_limit, input("p-time_limit", read(bo, "time_limit"), "number"));
    limit.min = "0";
    limit.addEventListener("change", function () { write(element, "time_limit", limit.value || null); });
  }

  var shown = null;

  function wire() {
    var m = modeler();
    if (!m) { window.setTimeout(wire, 50); return; }
    m.on("selection.changed", function (event) {
      var one = event.newSelection.length === 1 ? event.newSelection[0] : null;
      shown = one && STEPS.indexOf(one.type) >= 0 ? one : null;
      render(shown);
    });
    m.on("commandStack.changed", function () {  // a step moved to another lane (or undone): its department
      if (shown && document.activeElement && document.activeElement.id === "p-department") { return; }
      var select = document.getElementById("p-department");
      if (shown && select) { select.parentNode.replaceChild(department(shown), select); }
    });
  }
  var matterYaml = document.getElementById("matter-yaml");
  if (matterYaml) {  // the matter editor changed the matter: its materials, forms and departments are the choices
    matterYaml.addEventListener("matter-yaml-changed", function (event) {
      if (event.detail && event.detail.choices) { choices = event.detail.choices; render(shown); }
    });
  }
  wire();
}());
