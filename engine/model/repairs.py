"""Two narrow repairs made to a model's tree before the schema check, each with a warning (never silently).

- An exact duplicate of a `bpmn:dataObject` declaration (same id, same attributes, no content, in the same
  process: bpmn-js and SpiffArena's editor write one again when a data object reference is copied) is
  dropped. It declares nothing new; any other repeated id stays an XSD error.
- A Groovy or JavaScript script task whose script only prints text literals (`println 'hello world'`,
  `print("done");`, `System.out.println("x")`, `console.log('x')`) becomes the Python `print(...)` of the same
  literals. Any other script in those languages stays refused ("script format 'groovy' is not Python"):
  OneThing runs no other language than sandboxed Python.
"""
from __future__ import annotations

import re
from typing import Any

from engine.model import validation as v
from engine.model.problems import Problem, warning
from engine.text import Text

_PRINTING_LANGUAGES = {"groovy", "javascript", "js", "ecmascript"}
_LITERAL = r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n$]|\\[^$])*\""""  # no "${...}" interpolation
_PRINT = re.compile(rf"""\s*(?:println|print|System\.out\.println|console\.log)
                          \s*(?:\(\s*({_LITERAL})\s*\)|({_LITERAL}))\s*;?\s*""", re.VERBOSE)


def drop_duplicate_data_objects(root: Any, filename: str) -> list[Problem]:
    """Remove exact repeated `dataObject` declarations; a warning for each one removed."""
    found = []
    for process in v.processes(root):
        seen: dict[str, dict[str, str]] = {}
        for element in process.findall(v.tag("dataObject")):
            key, attributes = element.get("id"), dict(element.attrib)
            if key is None or len(element) or (element.text or "").strip():
                continue
            if key in seen and seen[key] == attributes:
                found.append(warning(filename, element.sourceline, key, Text(
                    "data object '%(id)s' is declared twice, identically; the repeat is ignored", id=key)))
                process.remove(element)
            else:
                seen.setdefault(key, attributes)
    return found


def translate_print_scripts(root: Any, filename: str) -> list[Problem]:
    """Rewrite Groovy/JavaScript scripts made only of printed literals into Python; a warning for each."""
    found = []
    for task in root.iter(v.tag("scriptTask")):
        language = (task.get("scriptFormat") or "").strip().lower()
        script = task.find(v.tag("script"))
        if language not in _PRINTING_LANGUAGES or script is None:
            continue
        python = _as_python(script.text or "")
        if python is None:
            continue
        script.text = python
        task.set("scriptFormat", "python")
        found.append(warning(filename, task.sourceline, task.get("id"), Text(
            "%(language)s script that only prints text runs as Python print()", language=language)))
    return found


def _as_python(source: str) -> str | None:
    """`print('...')` lines for a script of print statements of literals; None for anything else."""
    lines = [line for line in re.split(r"\n|;(?=\s*\S)", source) if line.strip()]
    if not lines:
        return None
    printed = []
    for line in lines:
        match = _PRINT.fullmatch(line)
        if match is None:
            return None
        literal = match.group(1) or match.group(2)
        printed.append(f"print({_python_literal(literal)})")
    return "\n".join(printed)


def _python_literal(literal: str) -> str:
    """A Groovy/JavaScript quoted literal as a Python one with the same text (simple escapes only)."""
    body = literal[1:-1]
    text = re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)
    return repr(text)

