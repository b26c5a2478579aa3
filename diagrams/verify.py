"""Checks a laid-out file must pass: the BPMN XSD, and SpiffWorkflow building the same task specs."""
from __future__ import annotations

from typing import Any

from lxml import etree

_validator: Any = None


def xsd_problem(data: bytes, filename: str) -> str | None:
    """The first XSD violation of a BPMN file (spiffworkflow extensions allowed), or None."""
    global _validator
    from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
    from SpiffWorkflow.spiff.parser import VALIDATOR

    from diagrams.spec import read_xml as parse_xml

    _validator = _validator or VALIDATOR
    try:
        _validator.validate(parse_xml(data, filename), filename)
    except ValidationException as exc:
        return f"{filename}:{exc.line_number}: {exc}"
    except etree.LxmlError as exc:
        return f"{filename}: {exc}"
    return None


def spec_signature(data: bytes, filename: str) -> dict[str, Any]:
    """What SpiffWorkflow builds from a file: per process, each task spec's class, lane and ordered outputs."""
    from SpiffWorkflow.spiff.parser import SpiffBpmnParser

    from diagrams.spec import read_xml as parse_xml

    parser = SpiffBpmnParser()
    try:
        parser.add_bpmn_xml(parse_xml(data, filename), filename)
    except Exception as exc:  # a file SpiffWorkflow refuses must still be refused the same way
        return {"": f"error: {type(exc).__name__}: {exc}"}
    result: dict[str, Any] = {}
    for process_id in sorted(parser.process_parsers):
        try:
            spec = parser.get_spec(process_id)
        except Exception as exc:  # odd corpus files: the failure itself must not change either
            result[process_id] = f"error: {type(exc).__name__}"
            continue
        result[process_id] = {
            name: (type(ts).__name__, getattr(ts, "lane", None), [o.name for o in ts.outputs],
                   sorted(i.name for i in ts.inputs))
            for name, ts in spec.task_specs.items()
        }
    return result


def same_behaviour(before: bytes, after: bytes, filename: str) -> bool:
    """True when SpiffWorkflow builds identical task specs from both versions of a file."""
    return spec_signature(before, filename) == spec_signature(after, filename)
