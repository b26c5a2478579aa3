"""`onething matter publish|adopt|library|diff` (issue #13 item 2): the real command on a real SQLite file."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.engine.test_reform_library import LOCAL_MATTER, YIWU_AFTER, local_edit

REPO = Path(__file__).resolve().parents[2]


def _matter_folder(where: Path, bpmn: bytes, matter_yaml: bytes | None = None) -> Path:
    folder = where / "newborn"
    shutil.copytree(REPO / "processes" / "newborn", folder)
    (folder / "after.bpmn").write_bytes(bpmn)
    (folder / "before.bpmn").unlink()  # only the after variant goes into the region's line
    if matter_yaml is not None:
        (folder / "matter.yaml").write_bytes(matter_yaml)
    return folder


def test_publish_adopt_library_and_diff(run, tmp_path):
    run("init-db")
    run("deploy")
    run("region", "add", "jinhua", "--parent", "province", "--name-zh", "金华市", "--name-en", "Jinhua")
    for county, zh, en in (("yiwu", "义乌市", "Yiwu"), ("pujiang", "浦江县", "Pujiang")):
        run("region", "add", county, "--parent", "jinhua", "--name-zh", zh, "--name-en", en)
    refused = run("matter", "publish", "newborn", "--region", "yiwu", ok=False)
    assert refused.stderr.startswith("error: region 'yiwu' has no after version of its own")
    run("deploy", str(_matter_folder(tmp_path / "yiwu", YIWU_AFTER)), "--region", "yiwu")
    published = run("matter", "publish", "newborn", "--region", "yiwu", "--note", "online application").stdout
    assert "published newborn reform 1 of yiwu (its after version 1)" in published
    assert "unchanged" in run("matter", "publish", "newborn", "--region", "yiwu").stdout
    nothing = run("matter", "adopt", "newborn", "--from", "pujiang", "--region", "yiwu", ok=False)
    assert "'pujiang' has published no reform of matter 'newborn'" in nothing.stderr
    unknown = run("matter", "adopt", "newborn", "--from", "yiwu", "--region", "nowhere", ok=False)
    assert "no region 'nowhere'" in unknown.stderr
    adopted = run("matter", "adopt", "newborn", "--from", "yiwu", "--region", "pujiang").stdout
    assert "pujiang adopted newborn reform 1 of yiwu as its after version 1 (new)" in adopted
    run("deploy", str(_matter_folder(tmp_path / "pujiang", local_edit(YIWU_AFTER), LOCAL_MATTER)),
        "--region", "pujiang")
    library = json.loads(run("matter", "library", "--json").stdout)
    assert [(e["publication"]["region"], e["publication"]["number"], e["publication"]["note"], e["adopters"])
            for e in library] == [("yiwu", 1, "online application", [{"region": "pujiang",
                                                                      "state": "adopted_changed"}])]
    assert "adopted by: pujiang (adopted_changed)" in run("matter", "library").stdout
    diff = json.loads(run("matter", "diff", "newborn", "--region", "pujiang", "--json").stdout)
    assert [(i["kind"], i["key"]) for i in diff["steps"]] == [("added", "local_check")]
    assert [(i["kind"], i["key"]) for i in diff["departments"]] == [("renamed", "police")]
    assert [(i["key"], i["shared"], i["local"]) for i in diff["time_limits"]] == [("deliver_results", "2", "3")]
    assert diff["metrics"]["comparison"]["steps"]["change"] == 1
    text = run("matter", "diff", "newborn", "--region", "pujiang").stdout
    assert "added local_check: - -> 本地复核" in text and "changed deliver_results: 2 -> 3" in text
    missing = run("matter", "diff", "newborn", "--region", "yiwu", ok=False)
    assert "has adopted no published reform" in missing.stderr
