"""Other tools on the Terraform benchmark (issue 11): checkov, run side by side with `policylint check`.

Used by run.py for the `terraform-*` sizes. Checkov is found by `--checkov PATH`, else the `CHECKOV_BIN`
environment variable, else `checkov` on PATH; when none is there the peer is skipped (and the table says so).
It runs its normal full Terraform scan, offline and without a platform key:

    checkov -d DIR --framework terraform --quiet --compact

with `BC_SKIP_MAPPING=TRUE` (no guideline download), `CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false` (no package scan),
`CKV_SKIP_PACKAGE_UPDATE_CHECK=true` (no PyPI version check) and any `BC_API_KEY`/`PRISMA_*` removed from its
environment. Its stdout (the failed checks and the "Passed checks: …" summary) is kept to count what it checked.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any

OFFLINE = {"BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
           "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"}
# Checkov leaves a variable unrendered when its text is longer than CHECKOV_RENDER_MAX_LEN (10,000 characters by
# default), and a `for_each` over it then stays one resource: the variant renders everything (0 = no limit).
RENDER_ALL = {"CHECKOV_RENDER_MAX_LEN": "0"}
SUMMARY = re.compile(r"Passed checks: (\d+), Failed checks: (\d+), Skipped checks: (\d+)(?:, Parsing errors: (\d+))?")


@dataclass(frozen=True)
class Timed:
    wall_s: float
    exit_code: int
    peak_rss_mb: float
    cpu_s: float  # user + system of the process and the children it waited for
    stdout: str


@dataclass(frozen=True)
class Tool:
    name: str
    command: list[str]
    env: dict[str, str] | None = None


def find_checkov(option: str | None) -> str | None:
    """The checkov executable: the option, else $CHECKOV_BIN, else PATH's; None when there is none."""
    for candidate in (option, os.environ.get("CHECKOV_BIN"), shutil.which("checkov")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def checkov_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "BC_API_KEY" and not k.startswith("PRISMA_")}
    return {**env, **OFFLINE, **(extra or {})}


def checkov_tools(checkov: str, target: str, render_all: bool) -> list[Tool]:
    command = [checkov, "-d", target, "--framework", "terraform", "--quiet", "--compact"]
    tools = [Tool("checkov", command, checkov_env())]
    if render_all:
        tools.append(Tool("checkov, CHECKOV_RENDER_MAX_LEN=0", command, checkov_env(RENDER_ALL)))
    return tools


def checkov_version(checkov: str) -> str:
    done = subprocess.run([checkov, "--version"], capture_output=True, text=True, env=checkov_env(), check=False)
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "?"


def timed(tool: Tool) -> Timed:
    """One whole process: wall time, exit code, peak RSS and CPU time (os.wait4), stdout kept."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(tool.command, stdout=out, stderr=subprocess.DEVNULL, env=tool.env)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return Timed(elapsed, os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024,
                 usage.ru_utime + usage.ru_stime, text)


def checks_of(stdout: str) -> dict[str, int] | None:
    """Checkov's own count of what it checked, from its summary line; None when it printed none."""
    found = SUMMARY.search(stdout)
    if found is None:
        return None
    passed, failed, skipped, errors = (int(g) if g else 0 for g in found.groups())
    return {"passed": passed, "failed": failed, "skipped": skipped, "parsing_errors": errors}


def policylint_findings(stdout: str) -> str | None:
    """The last line of `policylint check` text output ("N findings (…) in F files …")."""
    lines = [ln for ln in stdout.splitlines() if ln.strip()]
    return lines[-1] if lines else None


def side_by_side(tools: list[Tool], runs: int) -> dict[str, dict[str, Any]]:
    """Every tool once as a warm-up (not counted), then `runs` rounds of each tool in turn: median, min, max."""
    for tool in tools:
        timed(tool)
    measured: dict[str, list[Timed]] = {tool.name: [] for tool in tools}
    for n in range(runs):
        for tool in tools:
            result = timed(tool)
            measured[tool.name].append(result)
            print(f"  round {n + 1}/{runs}: {tool.name} {result.wall_s:.2f} s (exit {result.exit_code}, "
                  f"peak {result.peak_rss_mb:.0f} MB, cpu {result.cpu_s:.1f} s)", file=sys.stderr, flush=True)
    return {tool.name: summarise(tool, measured[tool.name]) for tool in tools}


def summarise(tool: Tool, runs: list[Timed]) -> dict[str, Any]:
    walls = [r.wall_s for r in runs]
    last = runs[-1].stdout
    return {
        "command": " ".join(tool.command),
        "env": {k: v for k, v in (tool.env or {}).items() if k in OFFLINE or k in RENDER_ALL},
        "wall_s": walls,
        "median_s": statistics.median(walls),
        "min_s": min(walls),
        "max_s": max(walls),
        "cpu_median_s": statistics.median(r.cpu_s for r in runs),
        "peak_rss_mb": max(r.peak_rss_mb for r in runs),
        "exit_codes": sorted({r.exit_code for r in runs}),
        "checks": checks_of(last),
        "summary_line": policylint_findings(last) if tool.name == "policylint" else None,
        "stdout_chars": len(last),
    }


# --------------------------------------------------------------------------------------------------- table


def rows(cols: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    def stat(c: dict[str, Any], key: str) -> str:
        return f"{c['generator_stats'].get(key, 0):,}"

    def fmt(value: Any, spec: str) -> str:
        return "-" if value is None else format(value, spec)

    out = [("IAM resources Terraform creates / other", [f"{stat(c, 'iam_resources')} / {stat(c, 'other_resources')}"
                                                         for c in cols]),
           ("resource blocks / data / module calls", [f"{stat(c, 'resource_blocks')} / {stat(c, 'data_blocks')} / "
                                                      f"{stat(c, 'module_calls')}" for c in cols]),
           ("files / lines / KB", [f"{stat(c, 'files')} / {stat(c, 'lines')} / "
                                   f"{c['generator_stats']['bytes'] / 1e3:.0f}" for c in cols]),
           ("stage median, in-process (s)", [""] * len(cols))]
    for stage in ("load", "graph", "reach", "facts", "rules", "report"):
        out.append((f"  {stage}", [fmt(c["stages_median_s"].get(stage), ".3f") for c in cols]))
    out += [("total check+report, in-process (s)", [fmt(c["total_median_s"], ".3f") for c in cols]),
            ("baseline: bare python-hcl2 parse (s)", [fmt(c["baseline_median_s"], ".3f") for c in cols])]
    tools = list(dict.fromkeys(name for c in cols for name in c.get("tools", {})))
    for name in tools:
        out.append((f"{name}, whole process (s)", [_tool_cell(c, name) for c in cols]))
        out.append(("  peak RSS (MB) / CPU (s)", [
            f"{c['tools'][name]['peak_rss_mb']:.0f} / {c['tools'][name]['cpu_median_s']:.1f}"
            if name in c.get("tools", {}) else "-" for c in cols]))
        if name != "policylint":
            out.append(("  checks passed / failed", [_checks(c, name) for c in cols]))
            out.append(("  × policylint", [_speedup(c, name) for c in cols]))
    out.append(("policylint findings / input errors", [f"{c['findings']:,} / {c['errors']}" for c in cols]))
    return out


def _tool_cell(c: dict[str, Any], name: str) -> str:
    tool = c.get("tools", {}).get(name)
    if tool is None:
        return "skipped"
    return f"{tool['median_s']:.2f} ({tool['min_s']:.2f}–{tool['max_s']:.2f})"


def _checks(c: dict[str, Any], name: str) -> str:
    checks = c.get("tools", {}).get(name, {}).get("checks")
    return "-" if not checks else f"{checks['passed']:,} / {checks['failed']:,}"


def _speedup(c: dict[str, Any], name: str) -> str:
    tools = c.get("tools", {})
    if name not in tools or "policylint" not in tools:
        return "-"
    return f"{tools[name]['median_s'] / tools['policylint']['median_s']:.1f}×"


def verdicts(cols: list[dict[str, Any]], target: float) -> list[str]:
    out = []
    for c in cols:
        tools = c.get("tools", {})
        if "checkov" not in tools or "policylint" not in tools:
            out.append(f"{c['size']}: checkov not measured (not found: --checkov PATH or $CHECKOV_BIN)")
            continue
        ours, theirs = tools["policylint"]["median_s"], tools["checkov"]["median_s"]
        out.append(f"{c['size']}: policylint {ours:.2f} s vs checkov {theirs:.2f} s: {theirs / ours:.1f}× faster "
                   f"(target ≥ {target:g}×): {'PASS' if theirs / ours >= target else 'FAIL'}")
    return out


def table(results: dict[str, Any], sizes: list[str], target: float) -> str:
    cols = [results["sizes"][s] for s in sizes]
    m = results["machine"]
    lines = [f"machine: {m['cpu_count']} cores, {m['memory_gb']} GB, Python {m['python']} ({m['platform']})",
             *(f"{c['size']}: {c.get('checkov_version') or 'checkov not found'}" for c in cols),
             f"{'':<44}" + "".join(f"{s:>28}" for s in sizes)]
    lines += [f"{label:<44}" + "".join(f"{cell:>28}" for cell in cells) for label, cells in rows(cols)]
    return "\n".join([*lines, "", *verdicts(cols, target)]) + "\n"
