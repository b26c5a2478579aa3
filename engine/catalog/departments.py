"""A department's display names, from the matter.yaml files of the deployed matters (for headers and lists)."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.catalog.designer import current_models, deployed_matter_ids
from engine.context import EngineContext
from engine.matters.files import Names
from engine.store.tables import ModelVersion
from engine.vocabulary import APPLICANT


def department_label(ctx: EngineContext, department: str | None) -> Names | None:
    """The names of a department as the deployed matters declare them; None for one no matter names."""
    return known_departments(ctx).get(department or "")


def known_departments(ctx: EngineContext) -> dict[str, Names | None]:
    """Every department of the deployed matters (matter.yaml departments and lanes), with its names if declared."""
    with ctx.read() as session:
        newest = session.scalar(select(func.max(ModelVersion.id))) or 0  # a deploy may add departments
        return ctx.caches.department_names.get_or_compute(newest, lambda: _every_department(ctx, session))


def _every_department(ctx: EngineContext, session: Session) -> dict[str, Names | None]:
    found: dict[str, Names | None] = {}
    for matter_id in deployed_matter_ids(session):
        for model, matter in current_models(ctx, session, matter_id).values():
            for department in matter.departments if matter else ():
                found[department.id] = department.names
            for step in model.steps.values():
                if step.department and step.department != APPLICANT:
                    found.setdefault(step.department, None)
    return found
