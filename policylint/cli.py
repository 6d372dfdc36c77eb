"""The command line: parse options, call the pipeline, pick a reporter, return the exit code. Nothing else."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from policylint import __version__
from policylint.errors import ISSUES_URL, InputError, InputErrors, PolicylintError, UsageError
from policylint.exposure import DEFAULT_SHOWN, STATUSES, SUMMARY_AFTER, SUMMARY_TOP, Filters, exposures, summary_of
from policylint.facts import facts_of
from policylint.facts_schema import facts_schema
from policylint.findings import at_or_above
from policylint.jsonout import indented
from policylint.model import NODE_KINDS, PLATFORMS
from policylint.output import IN_PLACE_ROOTS, refuse_inputs, refuse_links, write_output
from policylint.pipeline import Timer, run
from policylint.progress import Shown, wanted
from policylint.redact import no_command_lines, printable, printable_json, redact
from policylint.report import Report
from policylint.reporters import (
    CHECK,
    REACH,
    ROWS_ONLY,
    STREAM_CHECK,
    STREAM_REACH,
    SUFFIXES,
    SUMMARY,
    reach_summary,
    summary,
)
from policylint.reporters.shown import redacted_document
from policylint.rules import SEVERITIES, Rule
from policylint.settings import UNCLASSIFIED, Given, Settings, resolve, rule_set
from policylint.suggest import did_you_mean
from policylint.validate import packaged_schema
from policylint.walk import is_within

EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

paths_argument = click.argument("paths", nargs=-1, type=click.Path())
reach_format_option = click.option("--format", "output", type=click.Choice(list(REACH)), default="text",
                                   show_default=True,
                                   help="Output format; jsonl writes one JSON object per identity per line.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policylint")
def cli() -> None:
    """Who can reach customer data? Lint access-control configuration as code."""


def _apply(options: list[Callable[[Callable[..., int]], Callable[..., int]]], command: Callable[..., int]
           ) -> Callable[..., int]:
    for option in reversed(options):
        command = option(command)
    return command


def inventory_options(command: Callable[..., int]) -> Callable[..., int]:
    """What decides the inventory and its reading, for every command; each overrides the configuration file."""
    return _apply([
        click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                     help="Date that ages and expiries are measured against (YYYY-MM-DD; default: today, UTC)."),
        click.option("--customer-data", "patterns", multiple=True, metavar="PATTERN",
                     help="Data classes that are customer data (glob, repeatable; default: customer*)."),
        click.option("--unclassified", type=click.Choice(UNCLASSIFIED), default=None,
                     help="How a data store with no classification counts: 'known' (default: it is not customer "
                          "data) or 'customer' (it is: the fail-closed mode for a first scan of real exports)."),
        click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Configuration file (default: the nearest .policylint.yaml or pyproject.toml with "
                          "[tool.policylint], from the working directory up)."),
        click.option("--progress/--no-progress", default=None, expose_value=False, callback=_remember_progress,
                     help="Show files read and stages on standard error (default: on a terminal outside CI, once "
                          "a run takes a second)."),
        click.option("--no-cache", is_flag=True, expose_value=False, callback=_remember_no_cache,
                     help="Read every file, not what an earlier run read unchanged files into (kept in .git/"
                          "policylint/ in a repository, else the user's cache folder); with --changed or diff, "
                          "analyse the base again too."),
    ], command)


PROGRESS = "policylint.progress"  # where --progress/--no-progress is kept for the command's run


def _remember_progress(context: click.Context, _: click.Parameter, value: bool | None) -> None:
    context.meta[PROGRESS] = value


NO_CACHE = "policylint.no_cache"  # where --no-cache is kept for the command's run


def _remember_no_cache(context: click.Context, _: click.Parameter, value: bool) -> None:
    context.meta[NO_CACHE] = value


def _timer() -> Timer:
    """The run's timer, telling a progress display on standard error when one is wanted; the display is cleared
    when the command ends."""
    context = click.get_current_context()
    if not wanted(context.meta.get(PROGRESS), sys.stderr):
        return Timer()
    return Timer(progress=context.with_resource(Shown(sys.stderr)))


def rule_options(command: Callable[..., int]) -> Callable[..., int]:
    """The options of the commands that apply rules: `check`, `diff` and `baseline`."""
    return _apply([
        paths_argument,
        click.option("--select", multiple=True, metavar="RULE", help="Only these rule ids or prefixes (repeatable)."),
        click.option("--ignore", multiple=True, metavar="RULE", help="Not these rule ids or prefixes (repeatable)."),
        click.option("--policies", multiple=True, type=click.Path(path_type=Path), metavar="DIR",
                     help="A folder of your own rules, used beside the built-in ones (repeatable)."),
        inventory_options,
    ], command)


def report_options(command: Callable[..., int]) -> Callable[..., int]:
    """The options of the commands that report findings: `check` and `diff`."""
    return _apply([
        click.option("--format", "output", type=click.Choice(list(CHECK)), default=None,
                     help="Output format (default: text, or what each -o file's suffix names)."),
        click.option("-o", "--output-file", "output_files", multiple=True,
                     type=click.Path(dir_okay=False, path_type=Path),
                     help="Write the report to this file instead of standard output, in the format its suffix names "
                          f"({', '.join(SUFFIXES)}) unless --format says; repeatable: one run, several reports. "
                          "The summary line goes to standard error; the exit code is the same."),
        click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
                     help="Exit 1 when a finding is at or above this severity (default: low)."),
        click.option("--baseline", type=click.Path(dir_okay=False), default=None,
                     help="Report only findings not in this baseline (see `policylint baseline`)."),
        click.option("--exceptions", type=click.Path(dir_okay=False), default=None,
                     help="Exceptions file: accepted risks with a reason, an owner and an expiry date."),
        click.option("--show-suppressed", is_flag=True,
                     help="Also list the findings that exceptions, ignore comments or the baseline suppress."),
        click.option("-v", "--verbose", is_flag=True,
                     help="Also list, on standard error, each walked file that no source reads and why, and, "
                          "comparing (diff, --changed), whether each side was read from the cache or analysed."),
    ], command)


def _given(paths: tuple[str, ...] = (), config_file: Path | None = None, as_of: datetime | None = None,
           patterns: tuple[str, ...] = (), unclassified: str | None = None, select: tuple[str, ...] = (),
           ignore: tuple[str, ...] = (), policies: tuple[Path, ...] = (), baseline: str | None = None,
           exceptions: str | None = None) -> Given:
    return Given(paths, config_file, as_of, patterns, select, ignore, policies, baseline, exceptions, unclassified,
                 cache=not click.get_current_context().meta.get(NO_CACHE, False))


@cli.command("check")
@rule_options
@report_options
@click.option("--changed", is_flag=True,
              help="The pre-commit hook: report what the working tree adds to HEAD (new or worse findings, new "
                   "paths to customer data) and every input error; PATHS, if any, are the inventory, as for diff.")
def check_command(paths: tuple[str, ...], output: str | None, output_files: tuple[Path, ...],
                  fail_on: str | None, select: tuple[str, ...], ignore: tuple[str, ...], policies: tuple[Path, ...],
                  as_of: datetime | None, patterns: tuple[str, ...], unclassified: str | None,
                  config_file: Path | None, baseline: str | None, exceptions: str | None, show_suppressed: bool,
                  verbose: bool, changed: bool) -> int:
    """Check inventories (files or folders; default: the configured paths, or .) and report findings."""
    if changed:
        from policylint.diff import DIFF_RULES, HEAD, diff

        settings = resolve(_given(paths, config_file, as_of, patterns, unclassified, select, ignore, policies,
                                  baseline, exceptions), extra=DIFF_RULES)
        outputs = _outputs(output, output_files, settings)
        timer = _timer()
        report = diff(settings, HEAD, timer, base_layout=not paths, staged=True)
        _tell(timer, verbose)
    else:
        settings = resolve(_given(paths, config_file, as_of, patterns, unclassified, select, ignore, policies,
                                  baseline, exceptions))
        outputs = _outputs(output, output_files, settings)
        report = run(settings, _timer(), final=True).report
    return _finish(report, settings, outputs, fail_on, show_suppressed, verbose)


@cli.command("diff")
@click.option("--base", required=True, metavar="REF",
              help="The git revision to compare with (a branch, tag or commit), e.g. origin/main.")
@rule_options
@report_options
def diff_command(base: str, paths: tuple[str, ...], output: str | None, output_files: tuple[Path, ...],
                 fail_on: str | None, select: tuple[str, ...], ignore: tuple[str, ...], policies: tuple[Path, ...],
                 as_of: datetime | None, patterns: tuple[str, ...], unclassified: str | None,
                 config_file: Path | None, baseline: str | None, exceptions: str | None, show_suppressed: bool,
                 verbose: bool) -> int:
    """What a change does: new and worse findings, resolved ones, and identities that gain a path to customer data,
    compared with the inventory at git revision REF (read from git; the working tree is not touched)."""
    from policylint.diff import DIFF_RULES, diff

    settings = resolve(_given(paths, config_file, as_of, patterns, unclassified, select, ignore, policies,
                              baseline, exceptions), extra=DIFF_RULES)
    outputs = _outputs(output, output_files, settings)
    timer = _timer()
    report = diff(settings, base, timer, base_layout=not paths)
    _tell(timer, verbose)
    return _finish(report, settings, outputs, fail_on, show_suppressed, verbose)


def _tell(timer: Timer, verbose: bool) -> None:
    """With `-v`, how a comparison went (each side cached or analysed, and how long it took), on standard error."""
    if verbose:
        for line in timer.said:
            click.echo(line, err=True)


@cli.command("baseline")
@rule_options
@click.option("-o", "--output-file", "output_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The baseline file to write (JSON; commit it and pass it to `check --baseline`).")
def baseline_command(paths: tuple[str, ...], output_file: Path, select: tuple[str, ...], ignore: tuple[str, ...],
                     policies: tuple[Path, ...], as_of: datetime | None, patterns: tuple[str, ...],
                     unclassified: str | None, config_file: Path | None) -> int:
    """Record today's findings, so that `check --baseline FILE` reports only new ones."""
    from policylint.suppress import render_baseline

    settings = replace(resolve(_given(paths, config_file, as_of, patterns, unclassified, select, ignore, policies)),
                       baseline=None)
    _check_target(output_file, settings)
    result = run(settings, _timer(), final=True)
    if result.report.errors:  # a baseline of a partly read inventory would hide what the unread files hold
        return _report_errors(result.report.errors)
    write_output(output_file, render_baseline(result.report.findings), [*settings.inputs(), *result.analysis.files],
                 what="the baseline")
    click.echo(f"wrote {len(result.report.findings)} findings to {output_file}", err=True)
    return EXIT_CLEAN


@cli.command("report")
@rule_options
@click.option("-o", "--output-file", "output_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write: one self-contained page that loads nothing, readable offline and in print.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
              help="Exit 1 when a finding is at or above this severity (default: low).")
@click.option("--baseline", type=click.Path(dir_okay=False), default=None,
              help="Findings in this baseline are listed as suppressed (see `policylint baseline`).")
@click.option("--exceptions", type=click.Path(dir_okay=False), default=None,
              help="Exceptions file: accepted risks with a reason, an owner and an expiry date.")
def report_command(paths: tuple[str, ...], output_file: Path, select: tuple[str, ...], ignore: tuple[str, ...],
                   policies: tuple[Path, ...], as_of: datetime | None, patterns: tuple[str, ...],
                   unclassified: str | None, config_file: Path | None, fail_on: str | None, baseline: str | None,
                   exceptions: str | None) -> int:
    """The auditor's report, one HTML page: who has left and can still reach customer data, who reaches each
    customer-data store, what each person reaches, every finding with a picture of its path, and what is
    suppressed. Same inputs, configuration and exit code as `check`."""
    from policylint.audit import build
    from policylint.reporters import html

    if output_file.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"expected -o to name an .html file (the report is one HTML page), found {output_file}; "
                         "`policylint check -o FILE` writes .sarif, .json, .xml, .csv and .txt")
    settings = resolve(_given(paths, config_file, as_of, patterns, unclassified, select, ignore, policies,
                              baseline, exceptions))
    _prepare(output_file, settings)
    result = run(settings, _timer(), final=True)
    audit = build(result)
    write_output(output_file, html.render(audit), [*settings.inputs(), *result.report.inputs])
    _report_errors(result.report.errors)
    click.echo(f"wrote {printable(str(output_file))}: {html.summary_line(audit)}", err=True)
    return _exit_code(result.report, settings, fail_on)


def _exit_code(report: Report, settings: Settings, fail_on: str | None) -> int:
    if report.errors:  # an input error is exit 2; a bug met while reading a file (SourceCrash) is 3
        return max(error.exit_code for error in report.errors)
    threshold = fail_on or settings.config.fail_on or "low"
    return EXIT_FINDINGS if any(at_or_above(f.severity, threshold) for f in report.findings) else EXIT_CLEAN


def _check_target(output_file: Path, settings: Settings) -> None:
    refuse_links(output_file)
    if not output_file.parent.is_dir():
        raise UsageError(f"expected -o to name a file in an existing folder, found no folder {output_file.parent}")
    refuse_inputs(output_file, settings.inputs())


Output = tuple[str, Path | None]  # a format, and the file it is written to (None: standard output)


def _outputs(output: str | None, files: tuple[Path, ...], settings: Settings) -> list[Output]:
    """Each report of the one run and its format: the file's suffix names it unless --format does (README, "Output
    formats"). With several files, --format must be what every suffix names; a file without a suffix (a device
    such as /dev/stdout) is text. Every file is checked before any is touched, and before anything runs."""
    if not files:
        return [(output or "text", None)]
    for output_file in files:
        _check_report_target(output_file, settings)
    chosen: list[Output] = [(_format_of(file, output, several=len(files) > 1), file) for file in files]
    seen: dict[str, Path] = {}
    for file in files:
        if seen.setdefault(os.path.abspath(file), file) is not file:
            raise UsageError(f"expected each -o to name another file, found {file} again")
    for output_file in files:
        _prepare(output_file, settings)
    return chosen


def _format_of(file: Path, given: str | None, several: bool) -> str:
    suffix = file.suffix.lower()
    named = SUFFIXES.get(suffix)
    if given is not None and (not several or named == given):
        return given
    if given is not None:
        raise UsageError(f"expected every -o to end in the suffix of --format {given} when -o is repeated, found "
                         f"{file}; leave --format out to take each file's format from its suffix")
    if named is not None:
        return named
    if not suffix:
        return "text"
    html = "; the HTML report is `policylint report -o FILE.html`" if suffix == ".html" else ""
    raise UsageError(f"expected -o to name a file ending in {', '.join(SUFFIXES)} (or --format to name the "
                     f"format), found {file}{html}")


def _check_report_target(output_file: Path, settings: Settings) -> None:
    _check_target(output_file, settings)
    refuse_inputs(output_file, settings.paths)


def _prepare(output_file: Path | None, settings: Settings) -> None:
    """Before anything runs: a report file that cannot be written, or that is one of the run's inputs, is a usage
    error, and nothing is touched (a path through a symbolic link is refused). A stale report from an earlier run is
    emptied (replaced atomically by an empty file that keeps its mode), so that a run that fails early never leaves
    an old report to be uploaded, but only where it cannot be an input: outside every folder the run walks (a file
    inside one is judged once the walk has read it). Devices and pipes (`-o /dev/stdout`) are left alone."""
    if output_file is None:
        return
    _check_report_target(output_file, settings)
    if any(_within(output_file, Path(p)) for p in settings.paths) or output_file.is_symlink():
        return
    if output_file.is_file() and not str(output_file).startswith(IN_PLACE_ROOTS):
        write_output(output_file, "", settings.inputs())


def _within(path: Path, folder: Path) -> bool:
    """Where links lead (a walked folder given as a link to where the report would go), loops counted as outside."""
    try:
        return is_within(path.resolve(), folder.resolve())
    except (OSError, RuntimeError):
        return False


def _finish(report: Report, settings: Settings, outputs: list[Output], fail_on: str | None,
            show_suppressed: bool, verbose: bool) -> int:
    """Writes every report of the one run; when none is the text on standard output, the console still gets the
    input errors and the summary line, so that a CI log never shows a bare exit code."""
    if not show_suppressed:
        report = replace(report, suppressed=(), unlisted_suppressed=len(report.suppressed))
    if verbose:
        for file, reason in report.skipped:
            click.echo(f"skipped {printable(redact(file))}: {reason}", err=True)
    for output, output_file in outputs:
        pieces = STREAM_CHECK[output](report) if output in STREAM_CHECK else (CHECK[output](report),)
        if output_file is None:
            for piece in pieces:
                click.echo(piece, nl=False)
        else:
            write_output(output_file, pieces, [*settings.inputs(), *report.inputs])
    if any(output_file is not None or output in ROWS_ONLY for output, output_file in outputs):
        _report_errors(report.errors)
        click.echo(SUMMARY(report), err=True)
    return _exit_code(report, settings, fail_on)


@cli.command("reach")
@paths_argument
@reach_format_option
@inventory_options
@click.option("--show", default=None, metavar="N|all",
              help="How many of each identity's largest customer-data resources to list with a path (default: 10; "
                   "all with --from or --format csv); stores of unknown size count as the largest. Without it, text "
                   f"output of more than {SUMMARY_AFTER} identities is a summary: the totals and the identities that "
                   "reach the most.")
@click.option("--to", "to", multiple=True, metavar="RESOURCE",
              help="Only the identities that reach this customer-data resource, each with its path to it "
                   "(repeatable).")
@click.option("--from", "identities", multiple=True, metavar="ID",
              help="Only this person or principal, with every customer-data resource it reaches (repeatable).")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES),
              help="Only people of this status and their own accounts (repeatable); other principals have no "
                   "status, so none is listed.")
@click.option("--platform", "platforms", multiple=True, type=click.Choice(PLATFORMS),
              help="Only identities of this platform (repeatable): aws, gcp or kubernetes by their ids, roster for "
                   "people, native for the ids of native files.")
def reach_command(paths: tuple[str, ...], output: str, as_of: datetime | None, patterns: tuple[str, ...],
                  unclassified: str | None, config_file: Path | None, show: str | None, to: tuple[str, ...],
                  identities: tuple[str, ...], statuses: tuple[str, ...], platforms: tuple[str, ...]) -> int:
    """Who can reach customer data: each identity, the records it reaches, and a shortest path to each of its
    largest customer-data resources. --to, --from, --status and --platform narrow the list; given together, an
    identity is listed when it matches every one."""
    if show not in (None, "all") and not (show.isascii() and show.isdigit() and len(show) <= 9 and int(show) > 0):
        raise UsageError(f"expected --show to be a positive number or 'all', found {show!r}")
    filters = Filters(to, identities, statuses, platforms)
    settings = resolve(_given(paths, config_file, as_of, patterns, unclassified))
    result = run(settings, _timer(), findings=False, final=True)
    code = _report_errors(result.report.errors)  # first: a file that could not be read may define an unknown id
    # a spreadsheet gets every row unless --show says otherwise: a cut list there reads as the whole
    shown = None if show == "all" or (show is None and (identities or output == "csv")) else int(show or DEFAULT_SHOWN)
    listed = exposures(result.analysis, shown, filters)
    notes = tuple(n for n in (summary.unclassified(result.report), summary.skipped(result.report),
                              filters.described()) if n) + tuple(
        f"{n.location}: {n.message}" for n in result.report.notices)  # what was not read (a registry module)
    if output in ROWS_ONLY:
        for note in notes:
            click.echo(f"note: {printable(redact(note))}", err=True)
    if output == "text" and show is None and not identities and len(listed) > SUMMARY_AFTER:
        whole = _whole_list(paths, as_of, patterns, unclassified, config_file, filters)
        click.echo(reach_summary(settings.as_of.isoformat(), summary_of(listed, SUMMARY_TOP), notes, whole), nl=False)
        return code
    for text in STREAM_REACH[output](settings.as_of.isoformat(), listed, notes):  # each identity as it is traced
        click.echo(text, nl=False)
    return code


def _whole_list(paths: tuple[str, ...], as_of: datetime | None, patterns: tuple[str, ...], unclassified: str | None,
                config_file: Path | None, filters: Filters) -> str:
    """The command that lists what a summary sums up: the one given, with each identity's largest stores; quoted
    for a shell (a path is input text: the reporter escapes and redacts it like any other)."""
    import shlex

    dated = (as_of.date().isoformat(),) if as_of else ()
    configured = (str(config_file),) if config_file else ()
    given: list[tuple[str, tuple[str, ...]]] = [
        ("--as-of", dated), ("--customer-data", patterns), ("--unclassified", (unclassified,) if unclassified else ()),
        ("--config", configured), ("--to", filters.to), ("--status", filters.statuses),
        ("--platform", filters.platforms)]
    words = [word for option, values in given for value in values for word in (option, value)]
    return shlex.join(["policylint", "reach", *paths, *words, "--show", str(DEFAULT_SHOWN)])


GRAPH_FORMATS = ("graphml", "dot", "json", "neo4j")  # policylint.graphout.FORMATS, imported only when run
NEO4J_FILES = ("nodes.csv", "relationships.csv", "queries.cypher")  # policylint.graphout.neo4j.FILES
GRAPH_SUFFIXES = {".graphml": "graphml", ".dot": "dot", ".gv": "dot", ".json": "json"}


@cli.command("graph")
@paths_argument
@click.option("--format", "output", type=click.Choice(GRAPH_FORMATS), default=None,
              help="graphml (the default), dot or json (to standard output or -o FILE, whose suffix names the "
                   "format when --format does not: .graphml, .dot/.gv, .json), or neo4j (nodes.csv and "
                   "relationships.csv for neo4j-admin import, and queries.cypher, in the folder -o names).")
@click.option("-o", "--output-file", "output_file", type=click.Path(path_type=Path),
              help="The file to write instead of standard output; with --format neo4j, the folder (created if "
                   "missing).")
@click.option("--from", "sources", multiple=True, metavar="ID",
              help="Only what lies on paths from this node (repeatable).")
@click.option("--to", "targets", multiple=True, metavar="ID",
              help="Only what lies on paths to this node (repeatable).")
@inventory_options
def graph_command(paths: tuple[str, ...], output: str | None, output_file: Path | None, sources: tuple[str, ...],
                  targets: tuple[str, ...], as_of: datetime | None, patterns: tuple[str, ...],
                  unclassified: str | None, config_file: Path | None) -> int:
    """The access graph for graph tools (GraphML, DOT, JSON) or for Neo4j (import files and Cypher queries); with
    --from and --to, only the part on paths from those nodes to those."""
    from policylint.graphout import TEXT_FORMATS, export_view, neo4j

    output = _graph_format(output, output_file)
    settings = resolve(_given(paths, config_file, as_of, patterns, unclassified))
    if output == "neo4j":
        if output_file is None:
            raise UsageError("expected -o DIR with --format neo4j (the folder for nodes.csv, relationships.csv and "
                             "queries.cypher), found no -o")
        _check_folder(output_file)
        if output_file.is_dir():  # every target before the run, and again before any is written: a refused one
            for name in NEO4J_FILES:  # never leaves half an export
                _check_target(output_file / name, settings)
    elif output_file is not None:
        _check_target(output_file, settings)
    result = run(settings, _timer(), findings=False, final=True)
    code = _report_errors(result.report.errors)  # first: a file that could not be read may define an unknown id
    view = export_view(result.analysis, sources, targets)
    inputs = [*settings.inputs(), *result.analysis.files]
    if output == "neo4j" and output_file is not None:
        output_file.mkdir(exist_ok=True)
        files = neo4j(view)
        for name in files:
            refuse_links(output_file / name)
            refuse_inputs(output_file / name, inputs)
        for name, text in files.items():
            write_output(output_file / name, text, inputs, what="the graph")
    elif output_file is not None:
        write_output(output_file, TEXT_FORMATS[output](view), inputs, what="the graph")
    else:  # a CI log: no line may read as a workflow command, each format escaping in its own syntax
        text = TEXT_FORMATS[output](view)
        shown = (printable_json(text) if output == "json" else no_command_lines(text) if output == "dot"
                 else no_command_lines(text, colon="&#58;", hash_="&#35;"))
        click.echo(shown, nl=False)
    return code


def _graph_format(given: str | None, output_file: Path | None) -> str:
    """--format, else what -o's suffix names, else GraphML; a suffix that names another format, or none without
    --format, is a usage error (a `.dot` file holding GraphML fails in Graphviz); neo4j's -o is a folder."""
    suffix = output_file.suffix.lower() if output_file is not None else ""
    named = GRAPH_SUFFIXES.get(suffix)
    if given == "neo4j":
        if suffix:
            raise UsageError(f"expected -o to name a folder with --format neo4j (it writes nodes.csv, "
                             f"relationships.csv and queries.cypher there), found the file name {output_file}")
        return given
    if given is None and output_file is not None and suffix and named is None:
        raise UsageError(f"expected -o to end in {', '.join(GRAPH_SUFFIXES)} (or --format neo4j and a folder), "
                         f"found {output_file}")
    if given is not None and named is not None and named != given:
        raise UsageError(f"expected -o to end in the suffix of --format {given}, found {output_file}, which names "
                         f"{named}")
    return given or named or "graphml"


def _check_folder(folder: Path) -> None:
    """The folder `-o` names for a set of files: reached through no link, in an existing folder, not a file."""
    refuse_links(folder)
    if not folder.parent.is_dir():
        raise UsageError(f"expected -o to name a folder in an existing folder, found no folder {folder.parent}")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"expected -o to name a folder with --format neo4j, found the file {folder}")


@cli.command("facts")
@click.argument("node")
@paths_argument
@inventory_options
def facts_command(node: str, paths: tuple[str, ...], as_of: datetime | None, patterns: tuple[str, ...],
                  unclassified: str | None, config_file: Path | None) -> int:
    """Print the facts document of NODE: exactly what rules can test."""
    result = run(resolve(_given(paths, config_file, as_of, patterns, unclassified)), _timer(), findings=False,
                 final=True)
    found = result.analysis.index.nodes.get(node)
    if found is None:
        _report_errors(result.report.errors)
        raise UsageError(printable(redact(f"no node with id {node!r} in the inventory (ids are case-sensitive)"
                                          + did_you_mean(node, result.analysis.index.nodes))))
    document = redacted_document(facts_of(found, result.analysis.context))
    click.echo(printable_json(indented(document)))
    return _report_errors(result.report.errors)


@cli.command("rules")
@click.argument("rule", required=False)
@click.option("--policies", multiple=True, type=click.Path(path_type=Path), metavar="DIR",
              help="A folder of your own rules to list too (repeatable).")
def rules_command(rule: str | None, policies: tuple[Path, ...]) -> int:
    """The rule catalog, or one rule's full documentation."""
    from policylint.diff import DIFF_RULES

    rules, errors = rule_set(list(policies), extra=DIFF_RULES)
    if errors:
        raise InputErrors(errors)
    if rule is None:
        for r in rules:
            title = f"{r.title} (diff only)" if r in DIFF_RULES else r.title
            subjects = "/".join(r.subjects) or "file" if len(r.subjects) < 7 else "any"
            click.echo(f"{r.id:<8} {r.severity:<9} {subjects:<28} {title}")
        return EXIT_CLEAN
    chosen = [r for r in rules if r.id == rule.upper()]
    if not chosen:
        raise UsageError(f"no rule {rule!r}; `policylint rules` lists them")
    click.echo(_rule_doc(chosen[0]))
    return EXIT_CLEAN


def _rule_doc(rule: Rule) -> str:
    references = "\n".join(f"  - {ref}" for ref in rule.references)
    subjects = "any" if len(rule.subjects) == len(NODE_KINDS) else ", ".join(rule.subjects) or "file"
    defined = ("built in: computed by `policylint diff`" if rule.id in ("PL900", "PL901", "PL902")
               else f"defined in: {rule.location}")
    return (f"{rule.id}: {rule.title}\n\nseverity: {rule.severity}\nsubject: {subjects}\n"
            f"{defined}\n\nWhy it matters:\n{_indent(rule.rationale)}\n\n"
            f"How to fix it:\n{_indent(rule.remediation)}\n\nReferences:\n{references}\n\n"
            f"Match (JSON Schema over the facts):\n{_indent(json.dumps(rule.match, indent=2))}")


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" if line else "" for line in text.strip().splitlines())


@cli.command("schema")
@click.argument("what", type=click.Choice(["inventory", "rule", "facts"]))
@click.argument("kind", required=False, type=click.Choice(NODE_KINDS))
def schema_command(what: str, kind: str | None) -> int:
    """Print a JSON Schema: the inventory format, the rule format, or the facts of one node KIND."""
    if what == "facts":
        if kind is None:
            raise UsageError(f"`schema facts` needs a node kind: one of {', '.join(NODE_KINDS)}")
        schema: dict[str, Any] = facts_schema(kind)
    else:
        schema = packaged_schema(what)
    click.echo(indented(schema))
    return EXIT_CLEAN


def _report_errors(errors: Sequence[PolicylintError]) -> int:
    for error in errors:
        click.echo(str(error), err=True)
    return max((error.exit_code for error in errors), default=EXIT_CLEAN)


def main(argv: Sequence[str] | None = None) -> int:
    """The one error boundary: every outcome becomes an exit code, never a traceback."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="policylint",
                          standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return EXIT_INPUT
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_INPUT
    except InputErrors as exc:
        return _report_errors(exc.errors)
    except InputError as exc:  # already located: `file:line:col: error: …`
        return _report_errors([exc])
    except PolicylintError as exc:
        click.echo(f"policylint: error: {exc}", err=True)
        return exc.exit_code
    except RecursionError:
        click.echo("policylint: internal error: input nested too deeply for this build; please report it at "
                   f"{ISSUES_URL}", err=True)
        return EXIT_INTERNAL
    except Exception as exc:  # the boundary: a bug must still end in a clear message and exit 3
        click.echo(f"policylint: internal error: {type(exc).__name__}: {printable(redact(str(exc)))}\n"
                   f"This is a bug in policylint; please report it at {ISSUES_URL} "
                   "with the command you ran.", err=True)
        return EXIT_INTERNAL
    return result if isinstance(result, int) else EXIT_CLEAN


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
