"""What a printable before/after report of one matter holds: static metrics, measured figures, sources.

Measured figures are SQL over the case summaries of one source (docs/metrics.md): aggregates in the
database, percentiles by linear interpolation between the two ordered values around the rank, so no
figure loads every case into memory.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.accounts.users import Actor
from engine.audit.comparison import comparison_in
from engine.audit.measured import measured_in
from engine.context import EngineContext
from engine.errors import InputError, require_choice
from engine.matters.files import Names, Source
from engine.model.metrics import rounded
from engine.regions.scope import EVERYWHERE, Coverage, coverage
from engine.vocabulary import SOURCES, VARIANTS

LANGUAGES = ("zh", "en")
LABELS: dict[str, dict[str, str]] = {  # key -> {language: label}; metric keys as in METRIC_KEYS
    "steps": {"zh": "环节数", "en": "Steps"}, "applicant_steps": {"zh": "申请人环节", "en": "Applicant steps"},
    "trips": {"zh": "跑动次数", "en": "Trips"}, "materials": {"zh": "材料数", "en": "Materials"},
    "submissions": {"zh": "材料提交次数", "en": "Submissions"}, "forms": {"zh": "表单数", "en": "Forms"},
    "departments": {"zh": "部门数", "en": "Departments"}, "handoffs": {"zh": "部门交接", "en": "Handoffs"},
    "expected_days": {"zh": "预计天数", "en": "Expected days"},
    "time_limit_days": {"zh": "承诺时限（工作日）", "en": "Time limit (working days)"},
    "before": {"zh": "改革前", "en": "Before"}, "after": {"zh": "改革后", "en": "After"},
    "change": {"zh": "变化", "en": "Change"}, "metric": {"zh": "指标", "en": "Metric"},
    "title": {"zh": "改革前后对比报告", "en": "Before/after report"},
    "static": {"zh": "模型指标（静态）", "en": "Model metrics (static)"},
    "measured": {"zh": "实测指标", "en": "Measured figures"},
    "cases": {"zh": "办结案件数", "en": "Ended cases"}, "completed": {"zh": "办结（完成）", "en": "Completed"},
    "working_days": {"zh": "工作日", "en": "Working days"},
    "elapsed_hours": {"zh": "历时（小时）", "en": "Elapsed hours"},
    "mean": {"zh": "平均", "en": "mean"}, "median": {"zh": "中位数", "en": "median"}, "p90": {"zh": "P90", "en": "p90"},
    "on_time_rate": {"zh": "按时办结率", "en": "On-time rate"},
    "steps_per_case": {"zh": "每案环节数", "en": "Steps per case"},
    "trips_per_case": {"zh": "每案跑动次数", "en": "Trips per case"},
    "handoffs_per_case": {"zh": "每案部门交接", "en": "Handoffs per case"},
    "sources": {"zh": "公开来源", "en": "Published sources"}, "none": {"zh": "无", "en": "none"},
    "source": {"zh": "数据来源", "en": "Case source"}, "generated": {"zh": "生成时间", "en": "Generated"},
    "version": {"zh": "版本", "en": "version"}, "variant": {"zh": "改革阶段", "en": "Variant"},
    "value": {"zh": "数值", "en": "Value"}, "place": {"zh": "地区", "en": "Place"},
    "reference": {"zh": "出处", "en": "Reference"}, "national": {"zh": "全国", "en": "national"},
    "province": {"zh": "省级", "en": "province"}, "city": {"zh": "市县级", "en": "city"},
    "no_cases": {"zh": "暂无办结案件", "en": "no ended cases"},
    "covers": {"zh": "{region}及其下辖地区的案件", "en": "cases of {region} and the regions below it"},
    "version_region": {"zh": "按{region}运行的版本：您所查看的地区未运行此事项；"
                             "在运行它的下辖地区中，该地区的真实办件最多。",
                       "en": "The versions as {region} runs them: the region you read runs none of this matter; of the "
                             "regions below it that run it, this one has the most real cases."},
    "real": {"zh": "真实案件", "en": "real cases"},
    "simulated": {"zh": "仿真案件（预测）", "en": "simulated cases (forecast)"},
    "imported": {"zh": "导入的历史记录", "en": "imported records"},
    "definitions": {"zh": "定义见 docs/metrics.md：工作日按中国法定日历计算，首日不计；百分位数线性插值。",
                    "en": "Definitions in docs/metrics.md: working days on China's official calendar, the first day "
                          "not counted; percentiles interpolate linearly."},
}
MEASURED_ROWS = ("cases", "completed", "working_days.median", "working_days.p90", "working_days.mean",
                 "elapsed_hours.median", "elapsed_hours.p90", "on_time_rate", "steps_per_case", "trips_per_case",
                 "handoffs_per_case")


@dataclass(frozen=True)
class MatterReport:
    """One matter's before/after report for one case source."""

    matter_id: str
    names: Names
    source: str
    generated_at: datetime
    versions: dict[str, int | None]  # variant -> current version number
    static: dict[str, dict[str, Any]]  # metric -> {before, after, change, change_pct}
    measured: dict[str, dict[str, Any]]  # variant -> figures ({} without ended cases)
    sources: tuple[Source, ...]
    covers: Names | None = None  # the reader's region when the measured figures are of it and the regions below it
    version_region_names: Names | None = None  # the region below whose versions these are (the reader's runs none)

    def label(self, key: str, lang: str) -> str:
        """A word of the report in `lang`; `working_days.median` reads 'Working days (median)'."""
        head, _, tail = key.partition(".")
        word = LABELS.get(head, {}).get(lang, head)
        return f"{word} ({LABELS[tail][lang]})" if tail else word

    def title(self, lang: str) -> str:
        return f"{self.names.zh if lang == 'zh' else self.names.en} — {LABELS['title'][lang]}"

    def figure(self, variant: str, key: str) -> Any:
        """A measured figure by dotted key (`working_days.median`); None when there is none."""
        value: Any = self.measured.get(variant, {})
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value


@dataclass(frozen=True)
class ReportTable:
    """One table of the report as text, the same for HTML and PDF."""

    heading: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""
    widths: tuple[float, ...] = ()  # shares of the page width, for print
    numeric: tuple[int, ...] = ()  # columns of figures (aligned right)


def report_tables(report: MatterReport, lang: str) -> list[ReportTable]:
    """The report's tables in `lang`: static before vs after, measured per variant, published sources."""
    word = lambda key: report.label(key, lang)  # noqa: E731
    variants = tuple(f"{word(v)} ({word('version')} {report.versions[v]})" if report.versions.get(v) else word(v)
                     for v in VARIANTS)
    static = tuple((word(key), text(m["before"]), text(m["after"]), _change(m)) for key, m in report.static.items())
    empty = [v for v in VARIANTS if not report.measured.get(v)]
    measured = tuple((word(key), *(text(report.figure(v, key), percent=key == "on_time_rate") for v in VARIANTS))
                     for key in MEASURED_ROWS)
    sources = tuple(_source_row(s, word, lang) for s in report.sources)
    return [
        ReportTable(word("static"), (word("metric"), *variants, word("change")), static, widths=(.34, .22, .22, .22),
                    numeric=(1, 2, 3)),
        ReportTable(f"{word('measured')}: {word(report.source)}{_covered(report, lang)}", (word("metric"), *variants),
                    measured,
                    "; ".join(f"{word(v)}: {word('no_cases')}" for v in empty), widths=(.34, .33, .33), numeric=(1, 2)),
        ReportTable(word("sources"), (word("metric"), word("variant"), word("value"), word("place"), word("reference")),
                    sources or ((word("none"), "", "", "", ""),), widths=(.16, .1, .14, .16, .44), numeric=(2,)),
    ]


def _covered(report: MatterReport, lang: str) -> str:
    """Whose cases the measured figures are, when not every region's: ' (cases of 金华市 and the regions below it)'."""
    if report.covers is None:
        return ""
    region = report.covers.zh if lang == "zh" else report.covers.en
    words = LABELS["covers"][lang].replace("{region}", region)
    return f"（{words}）" if lang == "zh" else f" ({words})"


def version_note(report: MatterReport, lang: str) -> str:
    """What the auditor's matter page says when the versions are a region's below the reader's (its own runs none of
    the matter: engine/regions/scope.py's version_region); "" otherwise."""
    if report.version_region_names is None:
        return ""
    names = report.version_region_names
    return LABELS["version_region"][lang].replace("{region}", names.zh if lang == "zh" else names.en)


def _source_row(source: Source, word: Any, lang: str) -> tuple[str, ...]:
    """A published figure in `lang`: figure, variant, value with its unit, place (scope), citation (and its page)."""
    place, citation, unit = source.shown(lang)
    return (word(source.figure), word(source.variant), f"{text(source.value)} {unit or ''}".strip(),
            f"{place} ({word(source.scope)})", f"{citation} {source.url}" if source.url else citation)


def text(value: Any, percent: bool = False) -> str:
    """A figure as the report prints it: a dash for none, a percentage for rates."""
    if value is None:
        return "—"
    if percent:
        return f"{value * 100:.1f}%"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _change(metric: dict[str, Any]) -> str:
    change, pct = metric.get("change"), metric.get("change_pct")
    if change is None:
        return "—"
    signed = text(change) if text(change).startswith("-") or change == 0 else "+" + text(change)
    return f"{signed} ({pct:+g}%)" if pct is not None else signed


def check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        from engine.text import Listed, Text

        raise InputError(Text("unknown language '%(lang)s': one of %(choices)s", lang=lang, choices=Listed(LANGUAGES)),
                         fields={"lang": [Text("one of %(choices)s", choices=Listed(LANGUAGES))]})


def matter_report(ctx: EngineContext, session: Session, matter_id: str, source: str = "real",
                  cover: Coverage = EVERYWHERE) -> MatterReport:
    """The report's content, read in the caller's transaction: the versions `cover.region` runs, the cases of
    `cover.regions`."""
    require_choice(source, SOURCES, "source")
    comparison = comparison_in(ctx, session, matter_id, measured=False, cover=cover)
    measured = {variant: figures if figures["cases"] else {}
                for variant, figures in measured_in(session, matter_id, source=source, regions=cover.regions).items()}
    return MatterReport(matter_id, comparison.names, source, ctx.clock.now(),
                        {"before": comparison.before_version, "after": comparison.after_version},
                        comparison.comparison, measured, comparison.sources, cover.names,
                        comparison.version_region_names)


def reader_report(ctx: EngineContext, session: Session, matter_id: str, source: str = "real",
                  reader: Actor | None = None) -> MatterReport:
    """`matter_report` as `reader` reads it (engine/regions/scope.py's coverage; None: every region)."""
    return matter_report(ctx, session, matter_id, source, coverage(session, reader))


def _round(value: Any, places: int = 2) -> float | int | None:
    return None if value is None else rounded(float(value), places)
