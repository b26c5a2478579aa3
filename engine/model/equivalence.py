"""Whether two versions of a model file mean the same: the BPMN XSD, and SpiffWorkflow building the same task specs.

Used by `onething layout`, which rewrites a file's diagram interchange and must not change what it runs.
"""
from __future__ import annotations

from typing import Any

from lxml import etree
from SpiffWorkflow.spiff.parser import SpiffBpmnParser

from engine.errors import ModelError
from engine.model.validation import xsd_problems
from engine.model.xmlsafe import parse_xml


def xsd_problem(data: bytes, filename: str) -> str | None:
    """The first XSD violation of a BPMN file (spiffworkflow extensions allowed), or None."""
    try:
        problems = xsd_problems(parse_xml(data, filename), filename)
    except ModelError as exc:
        return str(exc.problems[0]) if exc.problems else exc.message
    except etree.LxmlError as exc:
        return f"{filename}: {exc}"
    return str(problems[0]) if problems else None


def spec_signature(data: bytes, filename: str) -> dict[str, Any]:
    """What SpiffWorkflow builds from a file: per process, each task spec's class, lane and ordered outputs."""
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
