"""Time to build and render (SVG via dot) a generated 200-step model; target <= 500 ms."""
from __future__ import annotations

import sys
import time
from pathlib import Path

# this file is named like the package it measures: keep bench/ off the import path
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from diagrams.render import render_diagram, to_image  # noqa: E402
from diagrams.spec import load_diagram  # noqa: E402

STEPS = 200
DEPARTMENTS = ["Applicant", "health", "police", "hrss", "tax"]


def model(steps: int = STEPS) -> bytes:
    """A process of `steps` user tasks walking through five lanes."""
    lanes = {d: [] for d in DEPARTMENTS}
    nodes, flows = ['<bpmn:startEvent id="s" name="开始"/>'], []
    previous = "s"
    lanes["Applicant"].append("s")
    for i in range(steps):
        node = f"t{i}"
        lanes[DEPARTMENTS[i // 8 % len(DEPARTMENTS)]].append(node)
        nodes.append(f'<bpmn:userTask id="{node}" name="第{i}步 审核材料"/>')
        flows.append(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{previous}" targetRef="{node}"/>')
        previous = node
    nodes.append('<bpmn:endEvent id="e" name="办结"/>')
    lanes[DEPARTMENTS[0]].append("e")
    flows.append(f'<bpmn:sequenceFlow id="fe" sourceRef="{previous}" targetRef="e"/>')
    lane_xml = "".join(f'<bpmn:lane id="{d}" name="{d}">' + "".join(f"<bpmn:flowNodeRef>{n}</bpmn:flowNodeRef>"
                                                                      for n in ns) + "</bpmn:lane>"
                       for d, ns in lanes.items())
    return ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
            'targetNamespace="x"><bpmn:process id="p" isExecutable="true">'
            f'<bpmn:laneSet id="ls">{lane_xml}</bpmn:laneSet>{"".join(nodes)}{"".join(flows)}'
            '</bpmn:process></bpmn:definitions>').encode()


def main() -> None:
    """Print the median of five runs."""
    data = model()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        svg = to_image(render_diagram(load_diagram(data, "bench.bpmn")))
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"diagrams: {STEPS}-step model built and rendered to SVG ({len(svg)} bytes) "
          f"in {times[2] * 1000:.0f} ms median (target <= 500 ms)")


if __name__ == "__main__":
    main()
