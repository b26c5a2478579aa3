"""Designer: upload a BPMN file (and matter.yaml), see check problems, deploy a version, browse versions."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, g, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

import engine
from engine import InputError, ModelError, NotAllowed
from web.app import ctx
from web.auth import role_required
from web.pages import label, lang
from web.pages.bpmnview import version_drawings
from web.texts import translated

bp = Blueprint("designer", __name__, url_prefix="/designer")


def _region() -> str | None:
    """A designer's region: they see the lines it reads and edit its own (an admin sees every region's)."""
    return g.actor.region if g.actor.role == "designer" else None


def models_page(**values):
    """The models page with its versions, the saved drafts and the design log (issue #12 items 5 and 6)."""
    values.setdefault("problems", None)
    return render_template("designer/index.html", versions=engine.list_versions(ctx(), region=_region()),
                           drafts=engine.list_drafts(ctx(), region=_region()),
                           design_log=engine.design_log(ctx(), limit=50), **values)


@bp.route("/")
@role_required("designer", "admin")
def index():
    return models_page()


@bp.route("/upload", methods=["POST"])
@role_required("designer", "admin")
def upload():
    from engine import check_upload, deploy_upload

    bpmn_file = request.files.get("bpmn")
    if bpmn_file is None or not bpmn_file.filename:
        return models_page(error=_("Choose a BPMN file to upload.")), 400
    bpmn = bpmn_file.read()
    filename = bpmn_file.filename
    yaml_file = request.files.get("matter_yaml")
    matter_yaml = yaml_file.read() if yaml_file is not None and yaml_file.filename else None
    problems: list = []
    deployed = None
    errors: dict[str, list[str]] = {}
    if request.form.get("action") == "deploy":  # deploying checks the model first (ModelError with its problems)
        try:
            deployed = deploy_upload(ctx(), bpmn, filename, matter_yaml, request.form.get("matter_id", "").strip(),
                                     request.form.get("variant", ""), g.actor)
        except ModelError as exc:
            problems = exc.problems
        except InputError as exc:
            errors = exc.fields or {"_schema": [exc.message]}
        except NotAllowed as exc:  # stay on the upload: the same reason a check with this matter reports
            return models_page(error=translated(exc.message), values=request.form), 403
    else:
        problems = check_upload(bpmn, filename, matter_yaml, ctx=ctx(), actor=g.actor,  # what deploying would say
                                matter_id=request.form.get("matter_id", "").strip() or None,
                                variant=request.form.get("variant") or None, warnings=True)
    warnings = [p for p in problems if p.is_warning]
    problems = [p for p in problems if not p.is_warning]
    status = 422 if problems or errors else 200
    return models_page(problems=problems, warnings=warnings, filename=filename, deployed=deployed, errors=errors,
                       values=request.form), status


@bp.route("/versions/<int:version_id>")
@role_required("designer", "admin")
def version(version_id: int):
    detail = engine.get_version(ctx(), version_id)
    filename = detail.file.filename
    try:
        matter = engine.get_matter(ctx(), detail.info.matter_id).names
    except Exception:
        current_app.logger.exception("matter names failed")
        matter = None
    drawing, viewer = version_drawings(version_id, detail.file.data, filename,
                                       _("Drawing of %(file)s", file=filename), lang(), matter)
    others = [v for v in engine.list_versions(ctx(), detail.info.matter_id) if v.id != version_id]
    return render_template("designer/version.html", info=detail.info, filename=filename, drawing=drawing,
                           viewer=viewer, others=others, restored=None)


@bp.route("/model")
@role_required("designer", "admin")
def modeler():
    """Draw in the browser (bpmn-js's modeler): a deployed version (?version=ID) or a new model, checked live."""
    raw = request.args.get("version", "")
    if raw and not (raw.isdigit() and len(raw) <= 10):
        raise InputError(_("Choose a version."), fields={"version": [_("Choose a version.")]})
    info = engine.get_version(ctx(), int(raw)).info if raw else None
    from web.pages.matter_words import editor_words
    from web.pages.words import metric_label

    labels = [[key, metric_label(key)] for key in engine.METRIC_KEYS]  # in the order the auditor's table has
    own = _region() or engine.ROOT_REGION  # the line the designer draws for
    matter_id = info.matter_id if info else request.args.get("matter_id", "")
    choices = {kind: [{"id": ident, "name": label(names), "zh": names.zh, "en": names.en} for ident, names in pairs]
               for kind, pairs in engine.draft_choices(ctx(), matter_id, own).items()}
    variant = request.args.get("variant") or (info.variant if info else "after")  # before's file as a new after
    variant = variant if variant in engine.VARIANTS else "after"
    # the matter variant's draft is resumed, unless a version was asked for (then the page offers the draft)
    draft = engine.find_draft(ctx(), matter_id, variant, own) if matter_id else None
    if info is None and draft is None and matter_id:  # no draft: the variant's current version, if deployed
        info = next((v for v in engine.list_versions(ctx(), region=own) if v.matter_id == matter_id
                     and v.variant == variant and v.current), None)
    matter_yaml = (draft.matter_yaml if draft is not None and draft.matter_yaml is not None
                   else engine.deployed_matter_yaml(ctx(), matter_id, own) if matter_id else None)
    return render_template("designer/model.html", info=info, matter_id=matter_id,
                           variant=variant, metric_labels=labels, choices=choices,
                           draft=draft.info if draft else None, resumed=bool(draft and not raw),
                           matter_yaml=matter_yaml or "", editor_words=editor_words())


@bp.route("/versions/<int:version_id>/bpmn")
@role_required("designer", "admin")
def download(version_id: int):
    """The version's BPMN file, as deployed."""
    file = engine.get_version(ctx(), version_id).file
    return Response(file.data, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{file.filename}"'})


@bp.route("/versions/<int:version_id>/restore", methods=["POST"])
@role_required("designer", "admin")
def restore(version_id: int):
    """Make this older version current again; back on the version list, saying what happened."""
    try:
        deployed = engine.restore_version(ctx(), version_id, g.actor)
    except (NotAllowed, InputError) as exc:
        return models_page(error=translated(exc.message)), 403 if isinstance(exc, NotAllowed) else 422
    return models_page(problems=[], deployed=deployed,
                       filename=deployed.filename)  # the content was checked when first deployed


@bp.route("/versions/<int:version_id>/diff")
@role_required("designer", "admin")
def diff(version_id: int):
    """What changed from the version chosen in `with` to this one."""
    other = request.args.get("with", "")
    if not other.isdigit():
        raise BadRequest(_("choose a version to compare with"))
    changes = engine.version_diff(ctx(), int(other), version_id)
    return render_template("designer/diff.html", diff=changes, counts=changes.counts())

