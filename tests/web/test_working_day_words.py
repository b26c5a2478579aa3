"""What a Chinese reader meets on a working day, in Chinese (issue #11 items 7, 11 and 15): the audit and case-list
filters' errors, conflict pages (names, never task UUIDs or department ids), the auditor's path variants by step
name, times labelled as Beijing time (pages) or UTC (API and CLI), the worklist's lead saying its real order, an
unknown matter's drill-down a 404, address masking that keeps no addressee, unknown departments refused by the CLI.

The Chinese expected is read from the zh catalog (tests.web.test_engine_texts.zh), so a test fails until its
message is translated there.
"""
from __future__ import annotations

import html
import re

import pytest

from engine import SOURCES, department_label
from engine.accounts import users
from engine.audit.masking import mask_address
from engine.cases import lifecycle as cases
from engine.citizen import applications as citizen
from engine.matters.forms import example_data
from tests.web.conftest import PASSWORD, finish_case
from tests.web.test_engine_texts import UUID, zh

CHINESE = {"Accept-Language": "zh"}
ENGLISH = {"Accept-Language": "en"}
DEPARTMENT_IDS = re.compile(r"\b(police|service_center|health|medical_insurance|disease_control|hrss|street_office)\b")
WORDS = {"real": "real cases", "imported": "imported records", "simulated": "simulated (forecast)"}
STEP_ID = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")  # register_birth, issue_birth_certificate...


def _text(response) -> str:
    """What a reader sees of a page: its main content without tags (no link targets, no form values)."""
    page = response.get_data(as_text=True)
    main = re.search(r"<main[^>]*>(.*?)</main>", page, re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main.group(1) if main else page)))


def _newborn(ctx) -> tuple[str, object]:
    number = citizen.apply(ctx, "newborn", example_data(citizen.intake_form(ctx, "newborn")), "13800008000")
    return number, next(i for i in cases.get_case(ctx, number).ready_steps if i.step_id == "register_birth")


# -- item 7: filter errors in Chinese ------------------------------------------------------------------

@pytest.mark.parametrize(("user", "url", "field", "value"), [
    ("auditor", "/audit/matters/newborn/cases?since=2026-13-45", "Finished from", "2026-13-45"),
    ("auditor", "/audit/matters/newborn/cases?until=tomorrow", "to", "tomorrow"),
    ("auditor", "/audit/matters/newborn/cases?page=two", "Page", "two"),
    ("admin", "/cases?started_from=20261301", "Started from", "20261301"),
    ("admin", "/cases?page=-1", "Page", "-1"),
])
def test_a_bad_filter_is_refused_in_chinese_naming_the_field_and_value(client, login, user, url, field, value):
    login(user)
    answer = client.get(url, headers=CHINESE)
    assert answer.status_code == 422
    shown = _text(answer)
    template = ("%(field)s: “%(value)s” is not a whole number." if field == "Page"
                else "%(field)s: “%(value)s” is not a date (YYYY-MM-DD).")
    assert zh(template, field=zh(field), value=value) in shown
    assert zh("Please check what you entered") in shown
    assert "not a date" not in shown and "not a whole number" not in shown
    english = _text(client.get(url, headers=ENGLISH))
    assert f"{field}: “{value}” is not" in english


def test_an_unknown_source_or_mode_on_the_dashboard_is_refused_in_chinese(client, login):
    login("auditor")
    source = _text(client.get("/audit/matters/newborn?source=guessed", headers=CHINESE))
    assert zh("unknown %(field)s '%(value)s': one of %(choices)s", field=zh("Source"), value="guessed",
              choices="、".join(zh(WORDS[s]) for s in SOURCES)) in source
    assert "unknown source" not in source and "real, imported" not in source
    heat = client.get("/audit/matters/newborn/heat?mode=colour", headers=CHINESE)
    assert heat.status_code == 422
    assert zh("Choose a variant (before or after) and a mode (duration or frequency).") in _text(heat)
    assert "unknown variant" not in _text(heat)


def test_the_drill_down_of_a_matter_never_deployed_is_a_404_page(client, login):
    login("auditor")
    answer = client.get("/audit/matters/no_such_matter/cases", headers=CHINESE)
    assert answer.status_code == 404
    assert zh("no deployed matter '%(matter)s'", matter="no_such_matter") in _text(answer)
    known = client.get("/audit/matters/newborn/cases", headers=CHINESE)
    assert known.status_code == 200 and "新生儿出生一件事" in _text(known)  # the matter by name, not by id
    assert 'name="department"' in known.get_data(as_text=True) and "<option value=\"police\"" in \
        known.get_data(as_text=True) and ">公安局</option>" in known.get_data(as_text=True)


# -- items 7 and 11: conflict pages --------------------------------------------------------------------

def test_a_step_claimed_by_a_colleague_is_told_in_chinese_in_beijing_time_with_names(client, login, ctx):
    number, step = _newborn(ctx)
    users.add_user(ctx, "clerk.police2", PASSWORD, "clerk", "police")
    cases.claim_step(ctx, number, step.task_id, users.get_actor(ctx, "clerk.police2"))
    claimed_at = next(i for i in cases.get_case(ctx, number).ready_steps if i.task_id == step.task_id).claimed_at
    token = login("clerk.police")
    answer = client.post(f"/work/{number}/{step.task_id}/claim", data={"csrf_token": token}, headers=CHINESE)
    assert answer.status_code == 409
    shown = _text(answer)
    from web.pages import BEIJING

    since = claimed_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    assert zh("step '%(step)s' is claimed by %(user)s since %(since)s", step=step.step_name,
              user="clerk.police2", since=zh("%(time)s (Beijing time)", time=since)) in shown
    assert not UUID.search(shown) and not DEPARTMENT_IDS.search(shown) and "register_birth" not in shown
    for item in cases.get_case(ctx, number).ready_steps:  # the case now: steps and departments by name
        assert department_label(ctx, item.department).zh in shown
    english = client.post(f"/work/{number}/{step.task_id}/claim", data={"csrf_token": token}, headers=ENGLISH)
    text = _text(english)
    assert "is claimed by clerk.police2 since" in text and "(Beijing time)" in text and "UTC" not in text
    assert f"step '{board_step_names(ctx)['register_birth'].en}' is claimed" in text and "register_birth" not in text
    assert step.step_name not in text  # the waiting steps in English too


def test_an_engine_message_with_a_time_says_utc_in_english():
    from datetime import UTC, datetime

    from engine.text import Text, When

    text = Text("step '%(step)s' is claimed by %(user)s since %(since)s", step="s", user="u",
                since=When(datetime(2026, 12, 7, 8, 30, tzinfo=UTC)))
    assert text == "step 's' is claimed by u since 2026-12-07 08:30 UTC"


def test_a_closed_case_is_told_in_chinese_with_its_status_as_a_word(client, login, ctx):
    number, step = _newborn(ctx)
    cases.cancel_case(ctx, number, users.get_actor(ctx, "admin"), "duplicate application")
    login("clerk.police")
    answer = client.get(f"/work/{number}/{step.task_id}", headers=CHINESE)
    assert answer.status_code == 409
    shown = _text(answer)
    assert zh("step '%(step)s' of case %(number)s is not waiting for anyone now", step=step.step_name,
              number=number) in shown
    assert not UUID.search(shown) and "cancelled" not in shown and zh("cancelled") in shown


def test_a_task_id_no_case_has_is_never_shown(client, login, ctx):
    number, _step = _newborn(ctx)
    login("clerk.police")
    ghost = "0f0e0d0c-0b0a-4909-8807-060504030201"
    answer = client.get(f"/work/{number}/{ghost}", headers=CHINESE)
    assert answer.status_code in (404, 409)
    shown = _text(answer)
    assert ghost not in shown and zh("this step is not part of this case any more") in shown


# -- item 11: department names in the header and on an empty worklist ----------------------------------

@pytest.mark.parametrize("user", ["clerk.service", "clerk.police"])
def test_the_header_and_an_empty_worklist_name_the_department(client, login, ctx, user):
    login(user)
    department = users.get_actor(ctx, user).department
    for headers, lang in ((CHINESE, "zh"), (ENGLISH, "en")):
        page = client.get("/worklist", headers=headers).get_data(as_text=True)
        header = re.search(r'<span class="who">(.*?)</span>', page, re.S).group(1)
        assert getattr(department_label(ctx, department), lang) in header
        text = re.sub(r"<[^>]+>", " ", page).replace(getattr(department_label(ctx, department), lang), "")
        assert not re.search(rf"(?<![.\w]){department}\b", text), department  # (clerk.police is a user name)
    assert zh("Nothing is waiting for your department right now.") in _text(client.get("/worklist", headers=CHINESE))


def board_step_names(ctx):
    from engine import matter_dashboard

    return matter_dashboard(ctx, "newborn").step_names


# -- auditor: path variants and outliers by name -------------------------------------------------------

def test_path_variants_name_their_steps_in_the_page_language(client, login, ctx):
    number, _step = _newborn(ctx)
    finish_case(ctx, number)
    login("auditor")
    pages = {lang: client.get("/audit/matters/newborn", headers=h).get_data(as_text=True)
             for lang, h in (("zh", CHINESE), ("en", ENGLISH))}
    paths = {lang: re.findall(r'<td class="path">(.*?)</td>', page, re.S) for lang, page in pages.items()}
    assert paths["zh"] and paths["en"]
    names = board_step_names(ctx)
    assert names["register_birth"].zh in " ".join(paths["zh"]) and "、" in paths["zh"][0]
    assert names["register_birth"].en in " ".join(paths["en"]) and ", " in paths["en"][0]
    for lang in ("zh", "en"):
        assert not STEP_ID.search(" ".join(paths[lang])), paths[lang]
    assert not re.search(r"[\u4e00-\u9fff]", " ".join(paths["en"])), paths["en"]


def test_the_portfolio_joins_matter_names_in_the_page_language(client, login):
    login("auditor")
    english = client.get("/audit/", headers=ENGLISH).get_data(as_text=True)
    assert "Newborn birth, " in english or ", Newborn birth" in english
    assert "、" not in re.sub(r"<svg.*?</svg>", "", english, flags=re.S)


# -- item 15: times labelled ---------------------------------------------------------------------------

def test_times_on_pages_are_beijing_time_and_say_so(client, login, ctx):
    number, _step = _newborn(ctx)
    login("clerk.police")
    page = client.get("/worklist", headers=CHINESE).get_data(as_text=True)
    times = re.findall(r'<time datetime="([^"]+)" title="([^"]+)">([^<]+)</time>', page)
    assert times, "the worklist's times are <time> elements"
    for instant, title, shown in times:
        assert instant.endswith("+08:00") and title == zh("Beijing time (UTC+8)")
        assert instant.replace("T", " ")[:16] == shown
    assert zh("(Beijing time)") in page  # the column says it too
    case_page = client.get(f"/cases/{number}", headers=ENGLISH).get_data(as_text=True)
    assert 'title="Beijing time (UTC+8)"' in case_page and "(Beijing time)" in case_page


def test_the_api_gives_times_in_utc_with_their_offset(app, ctx):
    number, _step = _newborn(ctx)
    api = app.test_client()
    api.post("/api/session", json={"username": "clerk.police", "password": PASSWORD})
    shown = api.get(f"/api/cases/{number}").get_json()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)", shown["started_at"]), shown["started_at"]


def test_the_cli_refuses_a_department_no_matter_has(run):
    run("init-db")
    run("deploy")
    refused = run("user", "add", "li", "--role", "clerk", "--department", "nosuchdept", "--password", "secret123",
                  ok=False)
    assert refused.stderr.startswith("error: no department 'nosuchdept' in the deployed matters; known:")
    assert "police" in refused.stderr
    assert "added li (clerk, police)" in run("user", "add", "li", "--role", "clerk", "--department", "police",
                                             "--password", "secret123").stdout


@pytest.mark.parametrize("address", ["北京市朝阳区建国路88号张伟收", "上海市浦东新区世纪大道100号李娜",
                                     "西宁市城西区1号"])
def test_a_masked_address_keeps_its_region_and_never_its_end(address):
    masked = mask_address(address)
    assert len(masked) == len(address) and masked.endswith("***")
    kept = masked.rstrip("*")
    assert address.startswith(kept) and len(kept) <= min(6, len(address) // 3)
    assert address[-2:] not in masked


# -- the worklist says the order it shows ---------------------------------------------------------------

@pytest.mark.parametrize(("query", "order"), [("", "the oldest first"), ("?order=desc", "the newest first"),
                                              ("?sort=due", "the nearest time limit first"),
                                              ("?sort=due&order=desc", "the furthest time limit first")])
def test_the_worklist_lead_says_the_order_chosen(client, login, query, order):
    login("clerk.police")
    lead = re.search(r'<p class="lead">(.*?)</p>', client.get(f"/worklist{query}", headers=CHINESE)
                     .get_data(as_text=True), re.S).group(1)
    assert zh(order) in lead
    english = re.search(r'<p class="lead">(.*?)</p>', client.get(f"/worklist{query}", headers=ENGLISH)
                        .get_data(as_text=True), re.S).group(1)
    assert f"Steps waiting for your department, {order}." in english


def test_a_case_waiting_for_a_message_says_which_step_waits_in_the_page_language(client, login, ctx):
    from engine.cases.driving import drive_case

    number = citizen.apply(ctx, "after_death", example_data(citizen.intake_form(ctx, "after_death")), "13800008000")
    drive_case(ctx, number, before_each=lambda: "cremation_recorded" not in cases.get_case(ctx, number)
               .waiting_messages)
    assert "cremation_recorded" in cases.get_case(ctx, number).waiting_messages
    login("admin")
    chinese = _text(client.get(f"/cases/{number}", headers=CHINESE))
    assert zh("a message: %(name)s", name="接收火化信息") in chinese and "cremation_recorded" not in chinese
    english = _text(client.get(f"/cases/{number}", headers=ENGLISH))
    assert "a message: Receive the cremation record" in english and "cremation_recorded" not in english


# -- item 10: drawing titles in the drawing's language --------------------------------------------------

def _svg_titles(path) -> list[str]:
    return re.findall(r"<title>([^<]*)</title>", path.read_text(encoding="utf-8"))


def test_onething_render_titles_and_hovers_in_the_language_asked_for(run, tmp_path):
    run("init-db")
    run("deploy")
    number = re.search(r"case (\S+) started", run("case", "start", "newborn").stdout).group(1)
    expected = {
        ("zh", ()): "新生儿出生一件事 · 改革后", ("en", ()): "Newborn birth · after",
        ("zh", ("--compare",)): "新生儿出生一件事", ("en", ("--compare",)): "Newborn birth",
        ("zh", ("--variant", "before", "--heat")): "新生儿出生一件事 · 改革前 · 热力图",
        ("en", ("--variant", "before", "--heat")): "Newborn birth · before · heat map",
        ("zh", ("--case", number)): f"办件 {number}", ("en", ("--case", number)): f"Case {number}",
    }
    for (lang, extra), title in expected.items():
        out = tmp_path / f"{lang}-{len(extra)}-{extra[-1] if extra else ''}.svg"
        run("render", "newborn", *extra, "--lang", lang, "-o", str(out))
        titles = _svg_titles(out)
        assert titles[0] == title, (lang, extra, titles[:3])
        assert not [t for t in titles if re.fullmatch(r"(cluster_|legend_|after__|before__)\w*|\w+_\w+( \(.*\))?|"
                                                       r"onething|node\d+|edge\d+", t)], (lang, extra, titles)
        if lang == "en":  # lanes and pools by their English names (flows without name_en keep their Chinese)
            assert "Applicant" in titles and "Public Security Bureau (police station)" in titles, titles
            assert "公安局" not in titles and "申请人" not in titles, titles
