"""Which department a lane stands for (docs/modeling.md, "Lanes").

A modeler gives lanes generated ids (`Lane_0x1y2z`), so a lane is recognised by more than its id:

- the applicant's lane: id `Applicant`, or a name 申请人 / Applicant / Citizen / 申请人（群众） (trimmed,
  any case), or a `spiffworkflow:property name="applicant" value="true"`;
- a department lane: its id is a department id of matter.yaml, or its name is a department's zh or en name
  (then the lane stands for that department's id);
- any other lane stands for its own id (and `check` with a matter says it is no department).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.vocabulary import APPLICANT

if TYPE_CHECKING:  # pragma: no cover - type hints only
    from engine.matters.files import Matter

SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
APPLICANT_NAMES = frozenset({"申请人", "applicant", "citizen", "申请人（群众）", "申请人(群众)"})


def _is_applicant(lane: Any) -> bool:
    if lane.get("id") == APPLICANT or (lane.get("name") or "").strip().casefold() in APPLICANT_NAMES:
        return True
    found = lane.findall(f"./{{*}}extensionElements/{{{SPIFF}}}properties/{{{SPIFF}}}property")
    return any(p.get("name") == "applicant" and (p.get("value") or "").strip().lower() == "true" for p in found)


def lane_department(lane: Any, matter: Matter | None = None) -> str:
    """The department key a lane element stands for: APPLICANT, a department id, or the lane's own id."""
    lane_id = lane.get("id") or ""
    if _is_applicant(lane):
        return APPLICANT
    if matter is None or lane_id in matter.department_ids():
        return lane_id
    name = (lane.get("name") or "").strip().casefold()
    if name:
        for department in matter.departments:
            if name in (department.names.zh.strip().casefold(), department.names.en.strip().casefold()):
                return department.id
    return lane_id


def process_lanes(container: Any, matter: Matter | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """({department key: lane name}, {flow node id: department key}) of the lanes under `container`.

    Document order: a child lane overrides its parent."""
    lanes: dict[str, str] = {}
    lane_of: dict[str, str] = {}
    for lane in container.iter("{*}lane"):
        key = lane_department(lane, matter)
        lanes[key] = lane.get("name") or lanes.get(key, "")
        for ref in lane.findall("{*}flowNodeRef"):
            if ref.text:
                lane_of[ref.text.strip()] = key
    return lanes, lane_of
