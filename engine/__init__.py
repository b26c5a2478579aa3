"""OneThing's engine: the one door `web/`, `diagrams/`, the CLI and other callers go through.

Everything public is listed in `__all__` and grouped by what it is about:

- context and errors: `EngineContext`, the `OneThingError` hierarchy (see engine/errors.py);
- views: the frozen types use cases return (`CaseView`, `WorkItem`, `CaseSummary`, `MatterInfo`...);
- use cases, each owning one transaction: cases (`start_case`, `complete_step`...), worklists, timers,
  the catalog of deployed models (`deploy_path`, `deploy_upload`...), audit (`matter_comparison`...),
  the citizen's side (`apply`, `lookup`, `rate`), accounts (`authenticate`, `add_user`...), demo data;
- model files on disk: `check_paths`, `file_metrics`, `library_comparison`, `parse_model_xml`...

Names are imported on first use (PEP 562), so `import engine` costs nothing until a use case runs: the
CLI starts without loading SpiffWorkflow or SQLAlchemy for commands that need neither. Sub-packages
(`engine.model`, `engine.cases`...) are internal: only this module is imported from outside engine/.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# name -> module that defines it ("module:attribute" where the module's own name differs)
_EXPORTS: dict[str, str] = {
    # context, errors, vocabulary
    "EngineContext": "engine.context",
    "SimulatedClock": "engine.runtime.clock",
    **dict.fromkeys(("OneThingError", "ModelError", "InputError", "NotFound", "MatterNotFound", "CaseNotFound",
                     "StepNotFound", "NotAllowed", "NotYourDepartment", "Conflict", "StepNotReady", "StaleCase",
                     "StepClaimed", "CaseClosed", "Throttled", "SandboxError", "FullPhoneRequired",
                     "ImportRefused"), "engine.errors"),
    **dict.fromkeys(("VARIANTS", "APPLICANT", "ROLES", "SOURCES", "STATUSES", "REGION_LEVELS",
                     "ROOT_REGION"), "engine.vocabulary"),
    # views
    "Actor": "engine.accounts.users",
    "CaseView": "engine.views", "WorkItem": "engine.views", "LogEntry": "engine.views", "Deadline": "engine.views",
    "Names": "engine.matters.files", "LabelledValue": "engine.matters.labels",
    "labelled_data": "engine.matters.labels", "Form": "engine.matters.files", "FormField": "engine.matters.files",
    "Source": "engine.matters.files",
    "Problem": "engine.model.problems",
    "FieldMessage": "engine.matters.messages", "messages_by_field": "engine.matters.messages",
    "Text": "engine.text", "Named": "engine.text", "Listed": "engine.text",
    "Deployed": "engine.catalog.versions", "VersionInfo": "engine.catalog.history",
    "MatterInfo": "engine.catalog.designer", "ModelFile": "engine.catalog.designer",
    "VersionDetail": "engine.catalog.history", "VersionDiff": "engine.catalog.diff", "Change": "engine.catalog.diff",
    "WorkEntry": "engine.cases.worklist", "StepDetail": "engine.cases.worklist", "CaseSummary": "engine.cases.worklist",
    "CaseOverlay": "engine.cases.insight",
    "MatterComparison": "engine.audit.comparison",
    "DryRun": "engine.cases.dryrun",
    "METRIC_KEYS": "engine.model.metrics",
    # cases
    **dict.fromkeys(("start_case", "get_case", "step_log", "claim_step", "reassign_step", "release_step",
                     "complete_step", "send_message", "cancel_case"), "engine.cases.lifecycle"),
    "work_items": "engine.cases.worklist", "step_detail": "engine.cases.worklist",
    "case_summary": "engine.cases.worklist",
    "WorklistFilter": "engine.cases.worklist_query", "WorklistPage": "engine.cases.worklist_query",
    "WorklistFacets": "engine.cases.worklist_query", "DoneEntry": "engine.cases.done",
    "DonePage": "engine.cases.done", "worklist": "engine.cases.worklist_query",
    "worklist_facets": "engine.cases.worklist_query", "done_by": "engine.cases.done",
    "DUE_STATES": "engine.cases.worklist_query", "CLAIMED": "engine.cases.worklist_query",
    "SORTS": "engine.cases.worklist_query",
    "CaseQuery": "engine.cases.caselist", "CaseList": "engine.cases.caselist",
    "CaseListRow": "engine.cases.caselist", "list_cases": "engine.cases.caselist",
    "suspend_case": "engine.cases.admin", "resume_case": "engine.cases.admin", "retry_case": "engine.cases.admin",
    "case_actions": "engine.cases.admin", "Incident": "engine.cases.admin", "incidents": "engine.cases.admin",
    "CASE_EVENTS": "engine.cases.admin",
    "case_overlay": "engine.cases.insight", "step_durations": "engine.cases.insight",
    "case_model": "engine.cases.insight",
    "fire_due_timers": "engine.cases.timers", "dry_run": "engine.cases.dryrun",
    # catalog of deployed models
    "deploy_path": "engine.catalog.versions",
    "check_upload": "engine.catalog.designer", "deploy_upload": "engine.catalog.designer",
    **dict.fromkeys(("draft_savings", "draft_choices", "matter_editor", "edit_matter", "deployed_matter_yaml"),
                    "engine.catalog.drafting"),
    "list_versions": "engine.catalog.history", "get_version": "engine.catalog.history",
    "restore_version": "engine.catalog.history", "version_diff": "engine.catalog.diff",
    "list_matters": "engine.catalog.designer", "get_matter": "engine.catalog.designer",
    "current_model_files": "engine.catalog.designer",
    **dict.fromkeys(("DraftInfo", "DraftDetail", "save_draft", "list_drafts", "find_draft", "get_draft",
                     "discard_draft", "deploy_draft"), "engine.catalog.drafts"),
    "DesignEvent": "engine.catalog.designlog", "design_log": "engine.catalog.designlog",
    **dict.fromkeys(("Forecast", "DraftForecast", "forecast_draft"), "engine.audit.forecast"),
    # model files on disk
    "MAX_MODEL_BYTES": "engine.model.xmlsafe:MAX_BYTES", "parse_model_xml": "engine.model.xmlsafe:parse_xml",
    **dict.fromkeys(("find_model_files", "check_paths", "file_metrics", "library_comparison", "file_names"),
                    "engine.catalog.library"),
    "xsd_problem": "engine.model.equivalence", "same_behaviour": "engine.model.equivalence",
    # audit
    "matter_comparison": "engine.audit.comparison", "matter_comparisons": "engine.audit.comparison",
    "portfolio": "engine.audit.comparison", "audit_overview": "engine.audit.comparison",
    "rebuild_summaries": "engine.audit.summaries", "measured_metrics": "engine.audit.measured",
    **dict.fromkeys(("CaseFilter", "CasePage", "FinishedCaseRow", "find_cases", "working_days_distribution",
                     "buckets", "slowest_step"), "engine.audit.drilldown"),
    **dict.fromkeys(("MatterDashboard", "Outlier", "matter_dashboard"), "engine.audit.dashboard"),
    "simulate": "engine.audit.simulation", "SimulationResult": "engine.audit.simulation",
    "import_log": "engine.audit.importing", "ImportResult": "engine.audit.importing",
    "AuditOverview": "engine.audit.comparison", "MatterDetail": "engine.audit.comparison",
    "matter_detail": "engine.audit.comparison", "WeightedSaving": "engine.audit.volume",
    "Exported": "engine.audit.exports", "export_step_log_csv": "engine.audit.exports",
    "export_xes": "engine.audit.export_xes", "export_xlsx": "engine.audit.export_xlsx",
    "matter_report_html": "engine.audit.report_html", "matter_report_pdf": "engine.audit.report_pdf",
    # the citizen's side
    **dict.fromkeys(("intake_form", "application_form", "ApplicationForm", "Progress", "apply", "lookup", "rate"),
                    "engine.citizen.applications"),
    "open_matters": "engine.citizen.offers", "offered_regions": "engine.citizen.offers",
    # accounts
    "add_user": "engine.accounts.users", "get_actor": "engine.accounts.users",
    "department_clerks": "engine.accounts.users", "department_label": "engine.catalog.departments",
    "warm_up": "engine.catalog.warmup", "authenticate": "engine.accounts.users",
    "session_generation": "engine.accounts.users", "end_sessions": "engine.accounts.users",
    # operations
    "Health": "engine.store.health", "health": "engine.store.health",
    "Copied": "engine.store.backup", "NotSQLite": "engine.store.backup",
    "backup_database": "engine.store.backup", "restore_database": "engine.store.backup",
    "Retention": "engine.cases.retention", "anonymise_finished": "engine.cases.retention",
    # regions
    **dict.fromkeys(("RegionInfo", "add_region", "rename_region", "list_regions", "get_region"),
                    "engine.regions.tree"),
    **dict.fromkeys(("Publication", "Adoption", "LibraryEntry", "ReformUpdate", "publish_reform", "adopt_reform",
                     "library_entries", "reform_updates"), "engine.regions.library"),
    "ReformDiff": "engine.regions.reformdiff", "reform_diff": "engine.regions.reformdiff",
    "readable_matters": "engine.regions.matter_lists", "deployed_matter_names": "engine.regions.matter_lists",
    **dict.fromkeys(("RegionRanking", "region_ranking", "ProvinceView", "province_view", "compare_by_region"),
                    "engine.regions.reports"),
    # demo data
    **dict.fromkeys(("load_demo", "DEMO_CHECK", "DEMO_PASSWORD"), "engine.demo.loader"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import the module that defines `name` on first use, then keep the value here."""
    where = _EXPORTS.get(name)
    if where is None:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    module, _, attribute = where.partition(":")
    value = getattr(importlib.import_module(module), attribute or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # what type checkers and editors see; the same names as _EXPORTS
    from engine.accounts.users import (
        Actor,
        add_user,
        authenticate,
        department_clerks,
        end_sessions,
        get_actor,
        session_generation,
    )
    from engine.audit.comparison import (
        AuditOverview,
        MatterComparison,
        MatterDetail,
        audit_overview,
        matter_comparison,
        matter_comparisons,
        matter_detail,
        portfolio,
    )
    from engine.audit.dashboard import MatterDashboard, Outlier, matter_dashboard
    from engine.audit.drilldown import (
        CaseFilter,
        CasePage,
        FinishedCaseRow,
        buckets,
        find_cases,
        slowest_step,
        working_days_distribution,
    )
    from engine.audit.export_xes import export_xes
    from engine.audit.export_xlsx import export_xlsx
    from engine.audit.exports import Exported, export_step_log_csv
    from engine.audit.forecast import DraftForecast, Forecast, forecast_draft
    from engine.audit.importing import ImportResult, import_log
    from engine.audit.measured import measured_metrics
    from engine.audit.report_html import matter_report_html
    from engine.audit.report_pdf import matter_report_pdf
    from engine.audit.simulation import SimulationResult, simulate
    from engine.audit.summaries import rebuild_summaries
    from engine.audit.volume import WeightedSaving
    from engine.cases.admin import CASE_EVENTS, Incident, case_actions, incidents, resume_case, retry_case, suspend_case
    from engine.cases.caselist import CaseList, CaseListRow, CaseQuery, list_cases
    from engine.cases.done import DoneEntry, DonePage, done_by
    from engine.cases.dryrun import DryRun, dry_run
    from engine.cases.insight import CaseOverlay, case_model, case_overlay, step_durations
    from engine.cases.lifecycle import (
        cancel_case,
        claim_step,
        complete_step,
        get_case,
        reassign_step,
        release_step,
        send_message,
        start_case,
        step_log,
    )
    from engine.cases.retention import Retention, anonymise_finished
    from engine.cases.timers import fire_due_timers
    from engine.cases.worklist import CaseSummary, StepDetail, WorkEntry, case_summary, step_detail, work_items
    from engine.cases.worklist_query import (
        CLAIMED,
        DUE_STATES,
        SORTS,
        WorklistFacets,
        WorklistFilter,
        WorklistPage,
        worklist,
        worklist_facets,
    )
    from engine.catalog.departments import department_label
    from engine.catalog.designer import (
        MatterInfo,
        ModelFile,
        check_upload,
        current_model_files,
        deploy_upload,
        get_matter,
        list_matters,
    )
    from engine.catalog.designlog import DesignEvent, design_log
    from engine.catalog.diff import Change, VersionDiff, version_diff
    from engine.catalog.drafting import deployed_matter_yaml, draft_choices, draft_savings, edit_matter, matter_editor
    from engine.catalog.drafts import (
        DraftDetail,
        DraftInfo,
        deploy_draft,
        discard_draft,
        find_draft,
        get_draft,
        list_drafts,
        save_draft,
    )
    from engine.catalog.history import VersionDetail, VersionInfo, get_version, list_versions, restore_version
    from engine.catalog.library import check_paths, file_metrics, file_names, find_model_files, library_comparison
    from engine.catalog.versions import Deployed, deploy_path
    from engine.catalog.warmup import warm_up
    from engine.citizen.applications import (
        ApplicationForm,
        Progress,
        application_form,
        apply,
        intake_form,
        lookup,
        rate,
    )
    from engine.citizen.offers import offered_regions, open_matters
    from engine.context import EngineContext
    from engine.demo.loader import DEMO_CHECK, DEMO_PASSWORD, load_demo
    from engine.errors import (
        CaseClosed,
        CaseNotFound,
        Conflict,
        FullPhoneRequired,
        ImportRefused,
        InputError,
        MatterNotFound,
        ModelError,
        NotAllowed,
        NotFound,
        NotYourDepartment,
        OneThingError,
        SandboxError,
        StaleCase,
        StepClaimed,
        StepNotFound,
        StepNotReady,
        Throttled,
    )
    from engine.matters.files import Form, FormField, Names, Source
    from engine.matters.labels import LabelledValue, labelled_data
    from engine.matters.messages import FieldMessage, messages_by_field
    from engine.model.equivalence import same_behaviour, xsd_problem
    from engine.model.metrics import METRIC_KEYS
    from engine.model.problems import Problem
    from engine.model.xmlsafe import MAX_BYTES as MAX_MODEL_BYTES, parse_xml as parse_model_xml
    from engine.regions.library import (
        Adoption,
        LibraryEntry,
        Publication,
        ReformUpdate,
        adopt_reform,
        library_entries,
        publish_reform,
        reform_updates,
    )
    from engine.regions.matter_lists import deployed_matter_names, readable_matters
    from engine.regions.reformdiff import ReformDiff, reform_diff
    from engine.regions.reports import ProvinceView, RegionRanking, compare_by_region, province_view, region_ranking
    from engine.regions.tree import RegionInfo, add_region, get_region, list_regions, rename_region
    from engine.runtime.clock import SimulatedClock
    from engine.store.backup import Copied, NotSQLite, backup_database, restore_database
    from engine.store.health import Health, health
    from engine.text import Listed, Named, Text
    from engine.views import CaseView, Deadline, LogEntry, WorkItem
    from engine.vocabulary import APPLICANT, REGION_LEVELS, ROLES, ROOT_REGION, SOURCES, STATUSES, VARIANTS
