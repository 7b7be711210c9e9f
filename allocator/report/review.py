"""The report of each command for the review room: its JSON document with the charts
that command draws (``allocator.charts``), ready for the HTML page and the workbook."""

from __future__ import annotations

from typing import Any

from allocator.case.model import Case
from allocator.charts.analyses import (
    alternatives_charts,
    compare_charts,
    frontier_charts,
    marginals_charts,
    opportunity_charts,
)
from allocator.charts.plan import Facts, plan_charts
from allocator.charts.uncertainty import hedge_charts, sweep_charts
from allocator.report.document import Chart, Report, report_of


def build_report(
    kind: str, title: str, document: dict[str, Any], case: Case | None = None
) -> Report:
    """The report of the command ``kind`` (``solve``, ``compare``, ...) on ``title``:
    its document's cover and tables and the command's charts."""
    return report_of(kind, title, document, charts_of(kind, document, case))


def charts_of(kind: str, document: dict[str, Any], case: Case | None) -> list[Chart]:
    """The charts of a command's document (a replan's are a plan's); ``solve``,
    ``replan`` and ``sweep`` read the case too (its periods, units and cash reserve)."""
    if kind in ("solve", "replan"):
        return plan_charts(document, Facts.of(_needed(case, kind)))
    if kind == "sweep":
        return sweep_charts(document, Facts.of(_needed(case, kind)).reserve)
    by_document = {
        "frontier": frontier_charts,
        "compare": compare_charts,
        "opportunity": opportunity_charts,
        "marginals": marginals_charts,
        "hedge": hedge_charts,
        "alternatives": alternatives_charts,
    }
    if kind not in by_document:
        raise ValueError(f"no report for the command {kind!r}")
    return by_document[kind](document)


def _needed(case: Case | None, kind: str) -> Case:
    """The case, which the charts of ``kind`` read."""
    if case is None:
        raise ValueError(f"the report of {kind} needs the case")
    return case
