"""Static reads of one checked model: its first applicant step, the steps after a step, names of steps and lanes."""
from __future__ import annotations

from collections import deque

from engine.matters.files import Form, Matter, Names
from engine.model.types import Model
from engine.text import Named
from engine.vocabulary import APPLICANT


def first_applicant_step(model: Model) -> str | None:
    """The first userTask in the Applicant lane reachable from the process's start event (breadth first)."""
    process = next((p for p in model.root.iter("{*}process") if p.get("id") == model.process_id), None)
    if process is None:
        return None
    starts = [e.get("id") for e in process.findall("{*}startEvent")]
    flows, seen, todo = model.flows, set(starts), deque(starts)
    while todo:
        node = todo.popleft()
        step = model.steps.get(node)
        if step is not None and step.kind == "userTask" and step.department == APPLICANT:
            return node
        for target in flows.get(node, []):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return None


def next_steps(model: Model, step_id: str) -> list[str]:
    """Steps directly after `step_id` along sequence flows, passing gateways and events."""
    flows, found, seen, todo = model.flows, [], {step_id}, deque(model.flows.get(step_id, ()))
    while todo:
        node = todo.popleft()
        if node in seen:
            continue
        seen.add(node)
        if node in model.steps:
            found.append(node)
        else:
            todo.extend(flows.get(node, []))
    return found


def step_name_en(model: Model, step_id: str) -> str:
    """A step's English name (its name_en property, else its id)."""
    step = model.steps.get(step_id)
    return (step.properties.get("name_en") if step else None) or step_id


def department_names(model: Model, matter: Matter | None, department: str | None) -> Names:
    """A department's names from matter.yaml, else its lane name."""
    if department == APPLICANT:
        return Names("申请人", "Applicant")
    if matter is not None:
        for item in matter.departments:
            if item.id == department:
                return item.names
    name = model.lanes.get(department or "", "") or department or "-"
    return Names(name, department or "-")


def named_step(model: Model, step_id: str, fallback: str = "") -> Named:
    """A step in a message: its BPMN id in English, its names on pages (never a task's UUID)."""
    info = model.steps.get(step_id)
    return Named(step_id, Names((info.name if info is not None else "") or fallback or step_id,
                                step_name_en(model, step_id)))


def step_form(model: Model, matter: Matter | None, step_id: str) -> Form | None:
    """The form a step is completed with: matter.yaml's form its `form` property names, else the form made of the
    step's Camunda/Flowable form fields (engine.model.vendor_forms); None when it has neither."""
    info = model.steps.get(step_id)
    form_id = info.properties.get("form") if info is not None else None
    if form_id:
        return matter.forms.get(form_id) if matter is not None else None
    return model.forms.get(step_id)


def all_departments(model: Model) -> set[str]:
    """Departments a model's steps belong to: its lanes', and those a step outside every lane gets from its
    vendor assignment (`camunda:candidateGroups`...); never the applicant."""
    found = set(model.lanes) | {s.department for s in model.steps.values() if s.department}
    return found - {APPLICANT}


def message_names(model: Model) -> dict[str, Names]:
    """Each message a case may wait for (by its name, as the engine lists them) -> the names of the step that
    waits for it (a catching event or a receive task), so that pages say in words what a case waits for."""
    found: dict[str, Names] = {}
    for root in [model.root, *(callee.root for callee in model.callees.values())]:
        messages = {m.get("id"): m.get("name") or m.get("id") for m in root.iter("{*}message")}
        for element in root.xpath("//*[@messageRef]"):
            node = element if element.tag.endswith("receiveTask") else element.getparent()
            name = messages.get(element.get("messageRef"))
            if not name or not node.get("name") or node.tag.rsplit("}", 1)[-1] not in _WAITERS:
                continue
            english = node.xpath(".//*[local-name()='property'][@name='name_en']/@value")
            found.setdefault(name, Names(node.get("name"), str(english[0]) if english else node.get("name")))
    return found


_WAITERS = ("intermediateCatchEvent", "receiveTask", "boundaryEvent", "startEvent")


_BPMN = {"b": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
_THROWS = "self::b:intermediateThrowEvent or self::b:endEvent or self::b:sendTask"


def message_departments(model: Model, name: str) -> set[str]:
    """Lanes that send message `name` in the model (and the files it calls); if nothing sends it, the lanes that
    wait for it."""
    senders: set[str] = set()
    waiters: set[str] = set()
    for root in [model.root, *(callee.root for callee in model.callees.values())]:
        ids = set(root.xpath("//b:message[@name=$n]/@id", namespaces=_BPMN, n=name))
        lane_of = {ref.text.strip(): lane.get("id") for lane in root.xpath("//b:lane", namespaces=_BPMN)
                   for ref in lane.xpath("b:flowNodeRef", namespaces=_BPMN) if ref.text}
        for element in root.xpath("//*[@messageRef]", namespaces=_BPMN):
            if element.get("messageRef") not in ids:
                continue
            node = element if element.tag.endswith(("sendTask", "receiveTask")) else element.getparent()
            department = lane_of.get(node.get("id"))
            if department:
                (senders if node.xpath(_THROWS, namespaces=_BPMN) else waiters).add(department)
    return senders or waiters
