"""What a drawn model would save: its static metrics beside the deployed other variant of its matter.

The designer's modeler shows this as the designer draws (issue #12 item 4): a drawn `after` against the current
`before`, or a drawn `before` against the current `after`, with the change of every metric (docs/metrics.md),
computed by the same code as the auditor's comparison. Nothing is stored.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine.accounts.access import TRUSTED
from engine.accounts.users import Actor
from engine.catalog import designer, versions as catalog
from engine.context import EngineContext
from engine.errors import MatterNotFound, NotYourDepartment
from engine.model.loading import load_model
from engine.model.metrics import compare, static_metrics
from engine.model.problems import Problem
from engine.regions.lines import line_region, newest_matter_row
from engine.store.tables import ROOT
from engine.text import Text
from engine.vocabulary import VARIANTS


def draft_savings(ctx: EngineContext, bpmn: bytes, filename: str, matter_id: str, variant: str,
                  matter_yaml: bytes | None = None, region: str = ROOT) -> dict[str, Any]:
    """{"before", "after", "comparison"} with the drawn model as `variant` (a valid upload: check it first);
    the other side is empty when the matter has no deployed other variant (or is not deployed at all).

    With `matter_yaml` (the matter editor's text, valid: check it first) the drawn model is read with that
    matter (a material marked shared no longer counts for the applicant); the deployed side keeps its own.
    The deployed side is what `region` runs (its own line, else its nearest ancestor's)."""
    from engine.audit.comparison import cached_static_metrics  # the auditor's cache: a live check runs per edit

    matter, other = None, {}
    with ctx.read() as session:
        for deployed, version_id in designer.current_version_ids(session, matter_id, region).items():
            model, deployed_matter = catalog.loaded_version(ctx, session, version_id)
            matter = matter or deployed_matter
            if deployed != variant and deployed in VARIANTS:
                other = cached_static_metrics(ctx, model, deployed_matter, deployed)
    if matter_yaml is not None:
        matter = designer.parse_upload_matter(matter_yaml, matter_id)
    decisions = designer.deployed_decisions(ctx, matter_id)  # its DMN tables: uploads are BPMN only
    drawn = static_metrics(load_model(bpmn, filename, matter=matter, decisions=decisions,
                                      library=designer.deployed_library(ctx)), matter, variant)
    before, after = (drawn, other) if variant == "before" else (other, drawn)
    return {"before": before, "after": after, "comparison": compare(before, after)}


def draft_choices(ctx: EngineContext, matter_id: str, region: str = ROOT) -> dict[str, list[tuple[str, Any]]]:
    """What a step of the matter may name, from its deployed matter.yaml: {"materials", "forms", "departments"} as
    (id, Names) pairs, in file order; empty lists for a matter that is not deployed (a new model)."""
    with ctx.read() as session:
        version_ids = designer.current_version_ids(session, matter_id, region) if matter_id else {}
        matter = catalog.loaded_version(ctx, session, max(version_ids.values()))[1] if version_ids else None
    if matter is None:
        return {"materials": [], "forms": [], "departments": []}
    return {"materials": [(m.id, m.names) for m in matter.materials],
            "forms": [(f.id, f.names) for f in matter.forms.values()],
            "departments": [(d.id, d.names) for d in matter.departments]}


def deployed_matter_yaml(ctx: EngineContext, matter_id: str, region: str = ROOT) -> str | None:
    """The matter.yaml text deployed last with the matter (what a check without an upload reads); None: none."""
    if not matter_id:
        return None
    with ctx.read() as session:
        row = newest_matter_row(session, matter_id, region)
        return row.matter_yaml if row is not None else None


def matter_editor(ctx: EngineContext, matter_id: str, actor: Actor) -> dict[str, Any]:
    """The matter editor's start: {"structure", "yaml"} of the matter's deployed matter.yaml (its newest version's);
    NotYourDepartment for a designer whose department takes no part in the matter, MatterNotFound for none."""
    from engine.matters.editing import matter_structure

    with ctx.read() as session:
        row = newest_matter_row(session, matter_id, line_region(actor))
        if row is None:
            raise MatterNotFound(Text("no deployed matter '%(matter)s'", matter=matter_id))
        _check_designer(ctx, session, actor, matter_id)
        matter = catalog.loaded_version(ctx, session, row.id)[1]
        text = row.matter_yaml
    assert matter is not None  # the row has a matter.yaml
    return {"matter_id": matter_id, "structure": matter_structure(matter), "yaml": text}


def edit_matter(ctx: EngineContext, structure: dict[str, Any] | None, actor: Actor, matter_id: str | None = None,
                text: str | None = None) -> tuple[str, list[Problem], dict[str, Any] | None]:
    """The editor's structure as matter.yaml text with the problems `onething check` finds in it (field paths
    as element ids), and the structure; given matter.yaml `text` instead, the structure read from it (None: the
    text is no YAML mapping). A designer edits only a matter their department takes part in, when deployed."""
    from engine.matters.editing import edited_matter, structure_of_text

    if structure is None:
        structure = structure_of_text(text or "")
        if structure is None:
            mapping = Text("matter.yaml must be a mapping of fields")
            return text or "", [Problem("matter.yaml", None, None, mapping)], None
    which = matter_id or (structure.get("id") if isinstance(structure.get("id"), str) else None)
    if which:
        with ctx.read() as session:
            _check_designer(ctx, session, actor, which)
    written, found = edited_matter(structure, matter_id)
    return written, found, structure


def _check_designer(ctx: EngineContext, session: Session, actor: Actor, matter_id: str) -> None:
    deployed = designer.matter_departments(ctx, session, matter_id)
    if deployed and actor.role not in TRUSTED and actor.department not in deployed:
        raise NotYourDepartment(Text("%(user)s is not a designer of a department of matter '%(matter)s'",
                                     user=actor.name, matter=matter_id))
