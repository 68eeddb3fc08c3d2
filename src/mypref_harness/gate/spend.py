"""Where the requests went: the run's budget ledger as tables (summary.md, index.html) and a CSV of
every operation (requests-by-operation.csv), with what the budget left out.

A team that reads "contract: 4,210 requests, coverage 3,020, fuzzing cut" knows what raising
``--budget-requests`` would buy. Rendering only; the ledger is :class:`mypref_harness.budget.Budget`.
"""

from __future__ import annotations

import csv
import io

from mypref_harness import report
from mypref_harness.budget import Budget, StageSpend, clock_text
from mypref_harness.gate.model import STAGE_TITLES

TOP_OPERATIONS = 10  # operations shown in the summaries; the CSV has all
OPERATIONS_FILE = "requests-by-operation.csv"
PHASES = ("examples", "coverage", "fuzzing", "stateful")  # Schemathesis's order; others follow by name


def limits_line(budget: Budget) -> str:
    """ "budget 5000 requests, 05:00, 20/s: spent 4210 requests in 04:12" (or "no budget")."""
    limits = []
    if budget.requests is not None:
        limits.append(f"{budget.requests} requests")
    if budget.seconds is not None:
        limits.append(clock_text(budget.seconds))
    if budget.rate:
        limits.append(f"{budget.rate:g}/s")
    head = f"budget {', '.join(limits)}" if limits else "no budget (unlimited)"
    return f"{head}: spent {budget.spent_requests} requests in {clock_text(budget.elapsed_s)}"


def stage_rows(budget: Budget) -> list[list[str]]:
    """Per stage: requests, share of all requests, time."""
    total = budget.spent_requests or 1
    return [
        [
            STAGE_TITLES.get(name, name),
            str(spend.requests),
            f"{spend.requests / total:.0%}",
            f"{spend.seconds:.1f} s",
        ]
        for name, spend in budget.stages.items()
    ]


def seconds_text(seconds: float) -> str:
    """"12.3 s", or "-" where nothing was timed (Schemathesis's ledger counts requests only)."""
    return f"{seconds:.1f} s" if seconds > 0 else "-"


def phase_rows(spend: StageSpend) -> list[list[str]]:
    """Per phase of a stage (the contract's Schemathesis phases): requests and time."""
    names = [p for p in PHASES if p in spend.phases] + sorted(set(spend.phases) - set(PHASES))
    phases = [(name, spend.phases[name]) for name in names]
    return [[name, str(s.requests), seconds_text(s.seconds)] for name, s in phases]


def operation_rows(spend: StageSpend, n: int = TOP_OPERATIONS) -> list[list[str]]:
    return [[name, str(s.requests), seconds_text(s.seconds)] for name, s in spend.top_operations(n)]


def left_out_lines(budget: Budget) -> list[str]:
    """Everything a stage left out because of the budget, prefixed with the stage."""
    return [
        f"{STAGE_TITLES.get(name, name)}: {line}"
        for name, spend in budget.stages.items()
        for line in spend.left_out
    ]


def operations_csv(budget: Budget) -> str:
    """stage, operation, requests, seconds: every operation of every stage, most requests first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["stage", "operation", "requests", "seconds"])
    for name, spend in budget.stages.items():
        for operation, s in spend.top_operations(len(spend.operations)):
            writer.writerow([name, operation, s.requests, f"{s.seconds:.3f}"])
    return out.getvalue()


def spend_markdown(budget: Budget | None) -> list[str]:
    """The "Where the requests went" section of summary.md (nothing for a gate stopped before it ran)."""
    if budget is None:
        return []
    lines = ["", "## Where the requests went", "", limits_line(budget) + "  ", ""]
    if budget.stages:
        lines.append(
            report.markdown_table(
                ["Stage", "requests", "share", "time"], stage_rows(budget), ["l", "r", "r", "r"]
            )
        )
    for name, spend in budget.stages.items():
        title = STAGE_TITLES.get(name, name)
        if spend.phases:
            table = report.markdown_table(["phase", "requests", "time"], phase_rows(spend), ["l", "r", "r"])
            lines += ["", f"{title} by phase:", "", table]
        if spend.operations:
            shown = min(TOP_OPERATIONS, len(spend.operations))
            table = report.markdown_table(
                ["operation", "requests", "time"], operation_rows(spend), ["l", "r", "r"]
            )
            lines += [
                "",
                f"{title}: the {shown} operations with the most requests of {len(spend.operations)} "
                f"(all: {OPERATIONS_FILE})",
                "",
                table,
            ]
    left_out = left_out_lines(budget)
    lines += [
        "",
        "Left out because of the budget (raise `--budget-requests` / `--budget-time` to include):"
        if left_out
        else "Nothing was left out because of the budget.",
        "",
    ]
    lines += [f"- {report.md_escape(line)}" for line in left_out]
    lines.append("")
    return lines
