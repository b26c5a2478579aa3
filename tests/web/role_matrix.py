"""The role × route matrix (issue #15): a declared row per "METHOD rule" of the app, the status each role gets.

A row says how to make its request (`build(cell)`, on a fresh test client carrying the role's session) and
which roles get which status; every role it does not name gets the default refusal of its kind of route:

- pages: anonymous visitors and applicants go to the login page (302 to /login), the wrong staff role gets 403;
- the API: 401 without sign-in, 403 for the wrong role;
- either: a clerk of a department outside the case gets the 404 of a number no case has (issue #15 item 7), and so
  does a clerk of the case's own department in another region (issue #13): the `region_clerk`, a police clerk of
  county A, on the matrix's cases, which county B handles (as its police and tax clerks do).

The roles: `anonymous` (no session), `citizen` (no account: the anonymous session that applied for a case and
knows its number and phone), the clerk and the designer of the police (a department of the newborn matter), a
clerk and a designer of the tax office (a department the newborn matter does not have), the auditor, the admin.
Only the citizen knows a case's phone: everyone else sends a wrong check to the applicants' routes.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.accounts.users import Actor
from engine.cases import lifecycle as cases
from engine.cases.driving import drive_case
from engine.citizen import applications as citizen
from engine.matters.forms import example_data

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "matrix-password-1"
PHONE = "13800008000"
WRONG_CHECK = "0000"
ROLES = ("anonymous", "citizen", "clerk", "other_clerk", "region_clerk", "designer", "other_designer", "auditor",
         "admin")
# role -> (username, account role, department): the accounts of the matrix's template database
ACCOUNTS = {"clerk": ("clerk.police", "clerk", "police"), "other_clerk": ("clerk.tax", "clerk", "tax"),
            "region_clerk": ("clerk.police.a", "clerk", "police"),
            "designer": ("designer.police", "designer", "police"),
            "other_designer": ("designer.tax", "designer", "tax"),
            "auditor": ("auditor", "auditor", None), "admin": ("admin", "admin", None)}
# the regions of the matrix (under the root): a city with two counties; the matrix's cases are county B's
REGION_TREE = (("city", "province", "市", "City"), ("county-a", "city", "甲县", "County A"),
               ("county-b", "city", "乙县", "County B"))
CASE_REGION = "county-b"
# role -> region of its account, where not the root
REGION_OF = {"clerk": CASE_REGION, "other_clerk": CASE_REGION, "region_clerk": "county-a"}
NO_ACCOUNT = ("anonymous", "citizen")
STAFF = frozenset(ACCOUNTS)
EVERYONE = frozenset(ROLES)
LOGIN = "302 to /login"  # the expected answer of a page to whoever is not signed in
STEP_DATA = {"registration_approved": True, "child_resident_id": "630104202603101024"}  # newborn's register_birth


def add_accounts(ctx: Any) -> None:
    """The matrix's regions and accounts in a database with every matter deployed."""
    from engine.accounts.users import add_user
    from engine.regions.tree import add_region

    for region, parent, name_zh, name_en in REGION_TREE:
        add_region(ctx, region, parent, name_zh, name_en)
    for role, (name, account_role, department) in ACCOUNTS.items():
        add_user(ctx, name, PASSWORD, account_role, department, region=REGION_OF.get(role, "province"))


def actor_of(role: str) -> Actor:
    name, account_role, department = ACCOUNTS[role]
    return Actor(name, account_role, department, REGION_OF.get(role, "province"))


def newborn_data(ctx: Any) -> dict[str, Any]:
    """The newborn intake form's example answers."""
    form = citizen.intake_form(ctx, "newborn")
    assert form is not None
    return example_data(form)


@dataclass
class Cell:
    """One request of one role: a fresh client with the role's session, fresh cases on demand."""

    app: Any
    ctx: Any
    role: str
    method: str
    cookie: str | None
    token: str | None
    address: str
    client: Any = field(init=False)

    def __post_init__(self) -> None:
        self.client = self.app.test_client()
        if self.cookie is not None:
            self.client.set_cookie(self.app.config["SESSION_COOKIE_NAME"], self.cookie)

    @property
    def check(self) -> str:
        """The phone digits this role knows: the applicant's own, or a guess."""
        return PHONE[-4:] if self.role == "citizen" else WRONG_CHECK

    def page(self, url: str, data: dict | None = None, **kwargs: Any):
        """A page request; an unsafe one carries the session's token in the form field `csrf_token`."""
        if self.method != "GET":
            data = {**(data or {}), "csrf_token": self.token or ""}
        return self._open(url, data=data, **kwargs)

    def api(self, url: str, **kwargs: Any):
        """An API request; an unsafe one carries the session's token in X-CSRF-Token."""
        headers = {"X-CSRF-Token": self.token} if self.method != "GET" and self.token else {}
        return self._open(url, headers=headers, **kwargs)

    def _open(self, url: str, **kwargs: Any):
        response = self.client.open(url, method=self.method, environ_base={"REMOTE_ADDR": self.address}, **kwargs)
        response.close()  # as a WSGI server does (a download's file is closed with its response)
        return response

    def new_case(self) -> str:
        """A newborn case of county B, applied for with PHONE, waiting for the police's register_birth step."""
        return citizen.apply(self.ctx, "newborn", newborn_data(self.ctx), PHONE, region=CASE_REGION)

    def task(self, number: str) -> str:
        return next(i.task_id for i in cases.get_case(self.ctx, number).ready_steps if i.step_id == "register_birth")

    def claimed_case(self) -> tuple[str, str]:
        """A new case whose register_birth the police clerk has claimed (for a release)."""
        number = self.new_case()
        task = self.task(number)
        cases.claim_step(self.ctx, number, task, actor_of("clerk"))
        return number, task

    def completed_case(self) -> str:
        number = self.new_case()
        assert drive_case(self.ctx, number).view.status == "completed"
        return number

    def version_id(self, variant: str = "after") -> int:
        from engine.catalog.history import list_versions

        return next(v.id for v in list_versions(self.ctx, "newborn") if v.variant == variant)


@dataclass(frozen=True)
class Row:
    """How to make the request of one "METHOD rule", what each role gets, whether it ends the session."""

    build: Callable[[Cell], Any]
    expected: dict[str, int | str]
    ends_session: bool = False


def refusal(role: str, route: str) -> int | str:
    """The default answer to a role a row does not name (see the module's docstring)."""
    if role in ("other_clerk", "region_clerk") and "<number>" in route:
        return 404
    if " /api/" in route:
        return 401 if role in NO_ACCOUNT else 403
    return LOGIN if role in NO_ACCOUNT else 403


def row(route: str, build: Callable[[Cell], Any], status: int, roles: frozenset[str] | set[str], *,
        ends_session: bool = False, **others: int | str) -> tuple[str, Row]:
    """`roles` get `status`, the roles named in `others` what they say, the rest the default refusal; the clerk of
    another region gets, on a case's routes, what the clerk of another department gets, elsewhere what the case's
    own clerk gets (unless named)."""
    expected = {role: others.get(role, status if role in roles else refusal(role, route)) for role in ROLES}
    if "region_clerk" not in others and "region_clerk" not in roles:
        expected["region_clerk"] = expected["other_clerk" if "<number>" in route else "clerk"]
    return route, Row(build, expected, ends_session)


def _upload(cell: Cell, page: bool) -> Any:
    """newborn/after with a change (a new version) as a designer deploys it, by the page's form or the API."""
    bpmn = (REPO / "processes/newborn/after.bpmn").read_bytes().replace(
        b"</bpmn:definitions>", f"<!-- {cell.role} --></bpmn:definitions>".encode())
    data = {"matter_id": "newborn", "variant": "after", "bpmn": (io.BytesIO(bpmn), "after.bpmn")}
    if page:
        return cell.page("/designer/upload", data={**data, "action": "deploy"}, content_type="multipart/form-data")
    return cell.api("/api/models", data=data)


def _check_upload(cell: Cell) -> Any:
    return cell.api("/api/models/check", data={
        "matter_id": "newborn", "variant": "after",
        "bpmn": (io.BytesIO((REPO / "processes/newborn/after.bpmn").read_bytes()), "after.bpmn"),
        "matter_yaml": (io.BytesIO((REPO / "processes/newborn/matter.yaml").read_bytes()), "matter.yaml")})


def apply_form(cell: Cell) -> dict[str, str]:
    data = newborn_data(cell.ctx)
    return {**{k: ("yes" if v is True else "no" if v is False else str(v)) for k, v in data.items()},
            "region": CASE_REGION}


def _complete_page(cell: Cell) -> Any:
    number = cell.new_case()
    version = cases.get_case(cell.ctx, number).version
    return cell.page(f"/work/{number}/{cell.task(number)}/complete", data={
        "expected_version": str(version), "registration_approved": "yes",
        "child_resident_id": STEP_DATA["child_resident_id"]})


def _release_page(cell: Cell) -> Any:
    number, task = cell.claimed_case()
    return cell.page(f"/work/{number}/{task}/release")


def _release_api(cell: Cell) -> Any:
    number, _ = cell.claimed_case()
    return cell.api(f"/api/cases/{number}/steps/register_birth/release", json={})


def _resume_api(cell: Cell) -> Any:
    from engine.cases.admin import suspend_case

    number = cell.new_case()
    suspend_case(cell.ctx, number, Actor("admin", "admin"), "matrix")
    return cell.api(f"/api/cases/{number}/resume", json={"reason": "matrix"})


READ_CASES = {"clerk", "auditor", "admin"}
WORKLIST = {"clerk", "other_clerk", "admin"}
DESIGN = {"designer", "other_designer", "admin"}
AUDIT = {"auditor", "admin"}

MATRIX: dict[str, Row] = dict([
    # -- public pages ---------------------------------------------------------------------------------
    row("GET /", lambda c: c.page("/"), 200, {"anonymous", "citizen"},  # staff: their own start page
        clerk=302, other_clerk=302, designer=302, other_designer=302, auditor=302, admin=302),
    row("GET /apply", lambda c: c.page("/apply"), 200, EVERYONE),
    row("GET /apply/<matter_id>", lambda c: c.page("/apply/newborn"), 200, EVERYONE),
    row("POST /apply/<matter_id>", lambda c: c.page("/apply/newborn", data=apply_form(c)), 302, EVERYONE),
    row("GET /applied", lambda c: c.page("/applied"), 302, EVERYONE - {"citizen"}, citizen=200),  # else: to /
    row("GET /track", lambda c: c.page("/track"), 200, EVERYONE),
    row("POST /track", lambda c: c.page("/track", data={"number": c.new_case(), "check": c.check}),
        404, EVERYONE - {"citizen"}, citizen=200),
    row("POST /track/rate", lambda c: c.page("/track/rate", data={
        "number": c.completed_case(), "check": c.check, "score": "5"}), 404, EVERYONE - {"citizen"}, citizen=200),
    row("GET /login", lambda c: c.page("/login"), 200, EVERYONE),
    row("POST /login", lambda c: c.page("/login", data={"username": "auditor", "password": PASSWORD}),
        302, EVERYONE),
    row("POST /logout", lambda c: c.page("/logout"), 302, EVERYONE, ends_session=True),
    row("POST /lang", lambda c: c.page("/lang", data={"lang": "en", "next": "/track"}), 302, EVERYONE),
    row("GET /healthz", lambda c: c.page("/healthz"), 200, EVERYONE),
    row("GET /static/<path:filename>", lambda c: c.page("/static/favicon.svg"), 200, EVERYONE),
    # -- clerks ---------------------------------------------------------------------------------------
    row("GET /worklist", lambda c: c.page("/worklist"), 200, WORKLIST),
    row("GET /work/<number>/<step>", lambda c: (lambda n: c.page(f"/work/{n}/{c.task(n)}"))(c.new_case()),
        200, {"clerk"}),
    row("POST /work/<number>/<step>/claim",
        lambda c: (lambda n: c.page(f"/work/{n}/{c.task(n)}/claim"))(c.new_case()), 302, {"clerk"}),
    row("POST /work/<number>/<step>/release", _release_page, 302, {"clerk"}),
    row("POST /work/<number>/<step>/complete", _complete_page, 302, {"clerk"}),
    row("POST /work/<number>/<step>/reassign", lambda c: (lambda n: c.page(
        f"/work/{n}/{c.task(n)}/reassign", data={"clerk": "clerk.police"}))(c.new_case()), 302, {"admin"},
        other_clerk=403),  # only an admin reassigns: the role check comes before the case
    row("GET /cases", lambda c: c.page(f"/cases?number={c.new_case()}"), 302, READ_CASES | {"other_clerk"}),
    row("GET /cases/<number>", lambda c: c.page(f"/cases/{c.new_case()}"), 200, READ_CASES),
    # -- designers and auditors -------------------------------------------------------------------------
    row("GET /designer/", lambda c: c.page("/designer/"), 200, DESIGN),
    row("POST /designer/upload", lambda c: _upload(c, page=True), 200, {"designer", "admin"},
        other_designer=403),  # a designer of a department outside the matter may not deploy over it
    row("GET /designer/versions/<int:version_id>", lambda c: c.page(f"/designer/versions/{c.version_id()}"),
        200, DESIGN),
    row("GET /designer/versions/<int:version_id>/bpmn",
        lambda c: c.page(f"/designer/versions/{c.version_id()}/bpmn"), 200, DESIGN),
    row("GET /designer/versions/<int:version_id>/diff",
        lambda c: c.page(f"/designer/versions/{c.version_id()}/diff?with={c.version_id('before')}"), 200, DESIGN),
    row("POST /designer/versions/<int:version_id>/restore",
        lambda c: c.page(f"/designer/versions/{c.version_id()}/restore", data={}), 200, {"designer", "admin"},
        other_designer=403),  # making a version current is deploying: the matter's departments only
    row("GET /audit/", lambda c: c.page("/audit/"), 200, AUDIT),
    row("GET /audit/matters/<matter_id>", lambda c: c.page("/audit/matters/newborn"), 200, AUDIT),
    row("GET /audit/matters/<matter_id>/cases", lambda c: c.page("/audit/matters/newborn/cases"), 200, AUDIT),
    row("GET /audit/matters/<matter_id>/heat",
        lambda c: c.page("/audit/matters/newborn/heat?variant=after&mode=frequency"), 200, AUDIT),
    row("GET /audit/matters/<matter_id>/export.<fmt>", lambda c: c.page("/audit/matters/newborn/export.html"),
        200, AUDIT),
    # -- the API: sessions and what everyone reads -----------------------------------------------------------
    row("POST /api/session", lambda c: c.api("/api/session", json={"username": "auditor", "password": PASSWORD}),
        200, EVERYONE),
    row("GET /api/session", lambda c: c.api("/api/session"), 200, STAFF),
    row("DELETE /api/session", lambda c: c.api("/api/session", json={}), 204, STAFF, ends_session=True),
    row("GET /api/openapi.json", lambda c: c.api("/api/openapi.json"), 200, EVERYONE),
    row("GET /api/matters", lambda c: c.api("/api/matters"), 200, EVERYONE),
    row("GET /api/matters/<matter_id>", lambda c: c.api("/api/matters/newborn"), 200, EVERYONE),
    row("GET /api/matters/<matter_id>/intake-form", lambda c: c.api("/api/matters/newborn/intake-form"),
        200, EVERYONE),
    row("GET /api/matters/<matter_id>/metrics", lambda c: c.api("/api/matters/newborn/metrics"), 200, AUDIT),
    row("GET /api/portfolio", lambda c: c.api("/api/portfolio"), 200, AUDIT),
    # -- the API for applicants -------------------------------------------------------------------------
    row("GET /api/applications/matters", lambda c: c.api("/api/applications/matters"), 200, EVERYONE),
    row("GET /api/matters/<matter_id>/regions", lambda c: c.api("/api/matters/newborn/regions"), 200, EVERYONE),
    row("POST /api/applications", lambda c: c.api("/api/applications", json={
        "matter_id": "newborn", "phone": PHONE, "data": newborn_data(c.ctx)}),
        201, EVERYONE),
    row("POST /api/lookup", lambda c: c.api("/api/lookup", json={"number": c.new_case(), "check": c.check}),
        404, EVERYONE - {"citizen"}, citizen=200),
    row("POST /api/cases/<number>/rating", lambda c: c.api(f"/api/cases/{c.completed_case()}/rating", json={
        "check": c.check, "score": 5}), 404, EVERYONE - {"citizen"}, citizen=204),
    # -- the API for designers --------------------------------------------------------------------------
    row("POST /api/models/check", _check_upload, 200, DESIGN),
    row("POST /api/models", lambda c: _upload(c, page=False), 201, {"designer", "admin"}, other_designer=403),
    row("GET /api/models", lambda c: c.api("/api/models?matter=newborn"), 200, DESIGN | AUDIT),
    row("GET /api/models/<int:version_id>/bpmn", lambda c: c.api(f"/api/models/{c.version_id()}/bpmn"),
        200, DESIGN | AUDIT),
    row("GET /api/models/<int:version_id>/diff",
        lambda c: c.api(f"/api/models/{c.version_id()}/diff?with={c.version_id('before')}"), 200, DESIGN | AUDIT),
    row("POST /api/models/<int:version_id>/restore",
        lambda c: c.api(f"/api/models/{c.version_id()}/restore", json={}), 200, {"designer", "admin"},
        other_designer=403),
    # -- the API for clerks -----------------------------------------------------------------------------
    row("GET /api/worklist", lambda c: c.api("/api/worklist"), 200, WORKLIST),
    row("POST /api/cases", lambda c: c.api("/api/cases", json={"matter_id": "newborn"}), 201, {"clerk", "admin"}),
    row("GET /api/cases/<number>", lambda c: c.api(f"/api/cases/{c.new_case()}"), 200, READ_CASES),
    row("GET /api/cases/<number>/steps", lambda c: c.api(f"/api/cases/{c.new_case()}/steps"), 200, READ_CASES),
    row("POST /api/cases/<number>/steps/<step>/claim",
        lambda c: c.api(f"/api/cases/{c.new_case()}/steps/register_birth/claim", json={}), 200, {"clerk"}),
    row("POST /api/cases/<number>/steps/<step>/release", _release_api, 200, {"clerk"}),
    row("POST /api/cases/<number>/steps/<step>/complete",
        lambda c: c.api(f"/api/cases/{c.new_case()}/steps/register_birth/complete", json={"data": STEP_DATA}),
        200, {"clerk"}),
    row("POST /api/cases/<number>/messages",
        lambda c: c.api(f"/api/cases/{c.new_case()}/messages", json={"name": "hukou_registered"}),
        200, {"clerk", "admin"}),
    row("POST /api/cases/<number>/cancel",
        lambda c: c.api(f"/api/cases/{c.new_case()}/cancel", json={"reason": "matrix"}), 200, {"clerk", "admin"}),
    # -- any other /api/ URL: JSON 404, or 405 where the path exists with other methods --------------------
    row("GET /api/<path:path>", lambda c: c.api("/api/nothing-here"), 404, EVERYONE),
    row("POST /api/<path:path>", lambda c: c.api("/api/nothing-here", json={}), 404, EVERYONE),
    row("PUT /api/<path:path>", lambda c: c.api("/api/matters", json={}), 405, EVERYONE),
    row("PATCH /api/<path:path>", lambda c: c.api("/api/session", json={}), 405, EVERYONE),
    row("DELETE /api/<path:path>", lambda c: c.api("/api/nothing-here"), 404, EVERYONE),
    row("TRACE /api/<path:path>", lambda c: c.api("/api/matters"), 405, EVERYONE),
    # -- worklist filters and pages, "done by me" (issue #11 item 16) -----------------------------------
    row("GET /worklist/done", lambda c: c.page("/worklist/done"), 200, {"clerk", "other_clerk"}),
    row("GET /api/worklist/done", lambda c: c.api("/api/worklist/done"), 200, {"clerk", "other_clerk"}),
    # -- the case list, an admin's actions on a case, incidents (issue #11 item 17) ------------------------
    row("GET /cases/incidents", lambda c: c.page("/cases/incidents"), 200, {"admin"}),
    row("POST /cases/<number>/act", lambda c: c.page(f"/cases/{c.new_case()}/act", data={
        "action": "suspend", "reason": "matrix"}), 303, {"admin"}, other_clerk=403),  # the role check comes first
    row("GET /api/cases", lambda c: c.api("/api/cases"), 200, READ_CASES | {"other_clerk"}),  # theirs: none
    row("GET /api/cases/incidents", lambda c: c.api("/api/cases/incidents"), 200, {"admin"}),
    row("POST /api/cases/<number>/suspend",
        lambda c: c.api(f"/api/cases/{c.new_case()}/suspend", json={"reason": "matrix"}), 200, {"admin"},
        other_clerk=403),
    row("POST /api/cases/<number>/resume", _resume_api, 200, {"admin"}, other_clerk=403),
    row("POST /api/cases/<number>/retry",  # a running case has no failed step: the admin is told so (409)
        lambda c: c.api(f"/api/cases/{c.new_case()}/retry", json={"reason": "matrix"}), 409, {"admin"},
        other_clerk=403),
    row("GET /cases/<number>/bpmn",  # the case page's viewer reads its model: whoever may open the case page
        lambda c: c.page(f"/cases/{c.new_case()}/bpmn"), 200, READ_CASES),
    row("GET /designer/model",  # the modeler: drawing is not deploying, any designer may draw
        lambda c: c.page(f"/designer/model?version={c.version_id()}"), 200, DESIGN),
    # -- the modeler's drafts, their forecast and the design log (issue #12 items 5 and 6) ------------------
    row("GET /api/drafts", lambda c: c.api("/api/drafts"), 200, DESIGN),
    row("PUT /api/drafts/<matter_id>/<variant>", lambda c: c.api("/api/drafts/newborn/after", data=_draft_files(c)),
        200, {"designer", "admin"}, other_designer=403),  # a draft is the matter's designers' work
    row("GET /api/drafts/<matter_id>/<variant>/bpmn",
        lambda c: _saved_draft(c) and c.api("/api/drafts/newborn/after/bpmn"), 200, DESIGN),
    row("DELETE /api/drafts/<matter_id>/<variant>",
        lambda c: _saved_draft(c) and c.api("/api/drafts/newborn/after"), 204, {"designer", "admin"},
        other_designer=403),
    row("POST /api/drafts/<matter_id>/<variant>/deploy",
        lambda c: _saved_draft(c) and c.api("/api/drafts/newborn/after/deploy", json={}), 201, {"designer", "admin"},
        other_designer=403),
    row("POST /api/drafts/simulate", lambda c: c.api("/api/drafts/simulate", data={
        **_draft_files(c), "matter_id": "newborn", "variant": "after", "cases": "3"}), 200, DESIGN),
    row("GET /api/design-log", lambda c: c.api("/api/design-log"), 200, DESIGN),
    row("GET /api/matters/<matter_id>/editor",  # the matter editor: designers of the matter's departments
        lambda c: c.api("/api/matters/newborn/editor"), 200, {"designer", "admin"}, other_designer=403),
    row("POST /api/matters/yaml",  # the editor's rows as matter.yaml: the same department rule
        lambda c: c.api("/api/matters/yaml", json={"matter_id": "newborn", "structure": {"id": "newborn"}}), 200,
        {"designer", "admin"}, other_designer=403),
    # -- regions (issue #13): the tree for staff, adding and renaming for admins ----------------------------
    row("GET /regions", lambda c: c.page("/regions"), 200, {"admin"}),
    row("POST /regions", lambda c: c.page("/regions", data={
        "id": "county-c", "parent": "city", "name_zh": "丙县", "name_en": "County C"}), 302, {"admin"}),
    row("POST /regions/<region_id>", lambda c: c.page("/regions/county-a", data={
        "name_zh": "甲区", "name_en": "District A"}), 302, {"admin"}),
    row("GET /api/regions", lambda c: c.api("/api/regions"), 200, STAFF),
    row("POST /api/regions", lambda c: c.api("/api/regions", json={
        "id": "county-d", "parent": "city", "name_zh": "丁县", "name_en": "County D"}), 201, {"admin"}),
    row("POST /api/regions/<region_id>", lambda c: c.api("/api/regions/county-a", json={
        "name_zh": "甲区", "name_en": "District A"}), 200, {"admin"}),
    # -- regions: the ranking on a matter and the province view (issue #13 items 3, 4) ----------------
    row("GET /audit/matters/<matter_id>/regions", lambda c: c.page("/audit/matters/newborn/regions"), 200, AUDIT),
    row("GET /audit/province", lambda c: c.page("/audit/province"), 200, AUDIT),
    row("GET /api/audit/matters/<matter_id>/regions", lambda c: c.api("/api/audit/matters/newborn/regions"), 200,
        AUDIT),
    row("GET /api/audit/province", lambda c: c.api("/api/audit/province"), 200, AUDIT),
])


def _draft_files(cell: Cell) -> dict[str, Any]:
    """newborn/after with a change of the role's, as the modeler sends a draft."""
    bpmn = (REPO / "processes/newborn/after.bpmn").read_bytes().replace(
        b"</bpmn:definitions>", f"<!-- draft of {cell.role} --></bpmn:definitions>".encode())
    return {"bpmn": (io.BytesIO(bpmn), "newborn-after.bpmn")}


def _saved_draft(cell: Cell) -> bool:
    """A draft of newborn/after, saved by an admin (so that every role has one to open, discard or deploy)."""
    from engine.catalog.drafts import save_draft

    bpmn = _draft_files(cell)["bpmn"][0].read()
    return save_draft(cell.ctx, "newborn", "after", bpmn, None, Actor("admin", "admin")).revision > 0


ERROR_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}


def answer_of(route: str, response: Any) -> int | str:
    """The answer as the matrix declares it: LOGIN for a redirect to the login page, else the status; an API
    refusal whose JSON error code is not the one of its status is shown with the code it has."""
    status = response.status_code
    if status == 302 and "/login" in response.headers.get("Location", ""):
        return LOGIN
    if " /api/" in route and status in ERROR_CODES:
        code = ((response.get_json(silent=True) or {}).get("error") or {}).get("code")
        if code != ERROR_CODES[status]:
            return f"{status} with error code {code!r}"
    return status


def rule_methods(app: Any) -> set[str]:
    """Every "METHOD rule" the app answers (HEAD and OPTIONS are Flask's own)."""
    return {f"{method} {rule.rule}" for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


# -- the library of reforms (issue #13 item 2) -----------------------------------------------------------------

def _reform_published_elsewhere(cell: Cell) -> None:
    """Two counties that published their newborn reform and one that adopted the first's (once per database)."""
    from engine.catalog.designer import deploy_upload
    from engine.regions.library import adopt_reform, publish_reform
    from engine.regions.tree import add_region, list_regions

    if "matrix_county" in {r.id for r in list_regions(cell.ctx)}:
        return
    add_region(cell.ctx, "matrix_city", "province", "矩阵市", "Matrix city")
    for county in ("matrix_county", "matrix_second", "matrix_adopter"):
        add_region(cell.ctx, county, "matrix_city", county, county)
    for county in ("matrix_county", "matrix_second"):  # the API's row adopts the first's, the page's the second's
        bpmn = (REPO / "processes/newborn/after.bpmn").read_bytes().replace(
            b"</bpmn:definitions>", f"<!-- {county}'s reform --></bpmn:definitions>".encode())
        deploy_upload(cell.ctx, bpmn, "after.bpmn", None, "newborn", "after", Actor("admin", "admin"), region=county)
        publish_reform(cell.ctx, "newborn", county)
    adopt_reform(cell.ctx, "newborn", "matrix_county", "matrix_adopter")


MATRIX.update([
    row("GET /api/library", lambda c: c.api("/api/library"), 200, DESIGN | AUDIT),
    row("POST /api/matters/<matter_id>/publish",  # the root's own after version, by its designers
        lambda c: c.api("/api/matters/newborn/publish", json={"note": "matrix"}), 200, {"designer", "admin"},
        other_designer=403),
    row("POST /api/matters/<matter_id>/adopt",
        lambda c: _reform_published_elsewhere(c) or c.api("/api/matters/newborn/adopt",
                                                          json={"from": "matrix_county"}),
        200, {"designer", "admin"}, other_designer=403),
    row("GET /api/matters/<matter_id>/reform-diff",
        lambda c: _reform_published_elsewhere(c) or c.api("/api/matters/newborn/reform-diff?region=matrix_adopter"),
        200, DESIGN | AUDIT),
    row("GET /library/", lambda c: c.page("/library/"), 200, DESIGN | AUDIT),
    row("POST /library/publish", lambda c: c.page("/library/publish", data={"matter_id": "newborn"}), 303,
        {"designer", "admin"}, other_designer=403),
    row("POST /library/adopt", lambda c: _reform_published_elsewhere(c) or c.page("/library/adopt", data={
        "matter_id": "newborn", "from": "matrix_second", "region": "province"}), 303, {"designer", "admin"},
        other_designer=403),
    row("GET /library/diff/<matter_id>",
        lambda c: _reform_published_elsewhere(c) or c.page("/library/diff/newborn?region=matrix_adopter"),
        200, DESIGN | AUDIT),
])
