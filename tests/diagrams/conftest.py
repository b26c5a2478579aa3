"""Fixtures of the diagram tests."""
from __future__ import annotations

import pytest

from diagrams.spec import Diagram, load_diagram


@pytest.fixture
def make_diagram():
    """Build a Diagram from BPMN text."""
    def make(xml: str) -> Diagram:
        return load_diagram(xml.encode("utf-8"), "test.bpmn")
    return make
