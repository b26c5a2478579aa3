"""Who may deliver a message to a case: the departments whose lanes send it in the model (or wait for it)."""
from __future__ import annotations

from typing import Any

_BPMN = {"b": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
_THROWS = "self::b:intermediateThrowEvent or self::b:endEvent or self::b:sendTask"


def message_departments(model: Any, name: str) -> set[str]:
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
