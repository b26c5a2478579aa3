"""What a drawn model would save: its static metrics beside the deployed other variant of its matter.

The designer's modeler shows this as the designer draws (issue #12 item 4): a drawn `after` against the current
`before`, or a drawn `before` against the current `after`, with the change of every metric (docs/metrics.md),
computed by the same code as the auditor's comparison. Nothing is stored.
"""
from __future__ import annotations

from typing import Any

from engine.catalog import designer, versions as catalog
from engine.context import EngineContext
from engine.model.loading import load_model
from engine.model.metrics import compare, static_metrics
from engine.vocabulary import VARIANTS


def draft_savings(ctx: EngineContext, bpmn: bytes, filename: str, matter_id: str, variant: str) -> dict[str, Any]:
    """{"before", "after", "comparison"} with the drawn model as `variant` (a valid upload: check it first);
    the other side is empty when the matter has no deployed other variant (or is not deployed at all)."""
    from engine.audit.comparison import cached_static_metrics  # the auditor's cache: a live check runs per edit

    matter, other = None, {}
    with ctx.read() as session:
        for deployed, version_id in designer.current_version_ids(session, matter_id).items():
            model, deployed_matter = catalog.loaded_version(ctx, session, version_id)
            matter = matter or deployed_matter
            if deployed != variant and deployed in VARIANTS:
                other = cached_static_metrics(ctx, model, deployed_matter, deployed)
    decisions = designer.deployed_decisions(ctx, matter_id)  # its DMN tables: uploads are BPMN only
    drawn = static_metrics(load_model(bpmn, filename, matter=matter, decisions=decisions,
                                      library=designer.deployed_library(ctx)), matter, variant)
    before, after = (drawn, other) if variant == "before" else (other, drawn)
    return {"before": before, "after": after, "comparison": compare(before, after)}


def draft_choices(ctx: EngineContext, matter_id: str) -> dict[str, list[tuple[str, Any]]]:
    """What a step of the matter may name, from its deployed matter.yaml: {"materials", "forms", "departments"} as
    (id, Names) pairs, in file order; empty lists for a matter that is not deployed (a new model)."""
    with ctx.read() as session:
        version_ids = designer.current_version_ids(session, matter_id) if matter_id else {}
        matter = catalog.loaded_version(ctx, session, max(version_ids.values()))[1] if version_ids else None
    if matter is None:
        return {"materials": [], "forms": [], "departments": []}
    return {"materials": [(m.id, m.names) for m in matter.materials],
            "forms": [(f.id, f.names) for f in matter.forms.values()],
            "departments": [(d.id, d.names) for d in matter.departments]}
