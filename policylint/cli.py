"""The command line: parse options, call the pipeline, pick a reporter, return the exit code. Nothing else."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import click

from policylint import __version__
from policylint.errors import ISSUES_URL, InputErrors, PolicylintError, UsageError
from policylint.facts import facts_of
from policylint.facts_schema import facts_schema
from policylint.findings import at_or_above
from policylint.model import NODE_KINDS
from policylint.pipeline import DEFAULT_PATTERNS, analyse, check, rule_set
from policylint.redact import redact
from policylint.reporters import CHECK, REACH
from policylint.rules import SEVERITIES, Rule
from policylint.validate import packaged_schema

EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

as_of_option = click.option(
    "--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
    help="Date that ages and expiries are measured against (YYYY-MM-DD; default: today, UTC).")
customer_option = click.option(
    "--customer-data", "patterns", multiple=True, metavar="PATTERN",
    help="Data classes that are customer data (glob, repeatable; default: customer*).")
format_option = click.option("--format", "output", type=click.Choice(list(CHECK)), default="text",
                             show_default=True, help="Output format.")
reach_format_option = click.option("--format", "output", type=click.Choice(list(REACH)), default="text",
                                   show_default=True, help="Output format.")
paths_argument = click.argument("paths", nargs=-1, type=click.Path())


def _as_of(value: datetime | None) -> date:
    return value.date() if value else datetime.now(timezone.utc).date()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policylint")
def cli() -> None:
    """Who can reach customer data? Lint access-control configuration as code."""


@cli.command("check")
@paths_argument
@format_option
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="low", show_default=True,
              help="Exit 1 when a finding is at or above this severity.")
@click.option("--select", multiple=True, metavar="RULE", help="Only these rule ids or prefixes (repeatable).")
@click.option("--ignore", multiple=True, metavar="RULE", help="Not these rule ids or prefixes (repeatable).")
@click.option("--policies", multiple=True, type=click.Path(path_type=Path), metavar="DIR",
              help="A folder of your own rules, used beside the built-in ones (repeatable).")
@as_of_option
@customer_option
def check_command(paths: tuple[str, ...], output: str, fail_on: str, select: tuple[str, ...],
                  ignore: tuple[str, ...], policies: tuple[Path, ...], as_of: datetime | None,
                  patterns: tuple[str, ...]) -> int:
    """Check inventories (files or folders; default: .) and report findings."""
    report = check(list(paths) or ["."], _as_of(as_of), policies=list(policies),
                   patterns=patterns or DEFAULT_PATTERNS, select=select, ignore=ignore)
    click.echo(CHECK[output](report), nl=False)
    if report.errors:
        return EXIT_INPUT
    return EXIT_FINDINGS if any(at_or_above(f.severity, fail_on) for f in report.findings) else EXIT_CLEAN


@cli.command("reach")
@paths_argument
@reach_format_option
@as_of_option
@customer_option
def reach_command(paths: tuple[str, ...], output: str, as_of: datetime | None, patterns: tuple[str, ...]) -> int:
    """Who can reach customer data: each identity, what it reaches, and one shortest path per resource."""
    from policylint.exposure import exposures

    day = _as_of(as_of)
    analysis = analyse(list(paths) or ["."], day, patterns or DEFAULT_PATTERNS)
    click.echo(REACH[output](day.isoformat(), exposures(analysis)), nl=False)
    return _report_errors(analysis.errors)


@cli.command("facts")
@click.argument("node")
@paths_argument
@as_of_option
@customer_option
def facts_command(node: str, paths: tuple[str, ...], as_of: datetime | None, patterns: tuple[str, ...]) -> int:
    """Print the facts document of NODE: exactly what rules can test."""
    analysis = analyse(list(paths) or ["."], _as_of(as_of), patterns or DEFAULT_PATTERNS)
    found = analysis.index.nodes.get(node)
    if found is None:
        _report_errors(analysis.errors)
        raise UsageError(f"no node with id {node!r} in the inventory (ids are case-sensitive)")
    click.echo(json.dumps(facts_of(found, analysis.context), indent=2, ensure_ascii=False))
    return _report_errors(analysis.errors)


@cli.command("rules")
@click.argument("rule", required=False)
@click.option("--policies", multiple=True, type=click.Path(path_type=Path), metavar="DIR",
              help="A folder of your own rules to list too (repeatable).")
def rules_command(rule: str | None, policies: tuple[Path, ...]) -> int:
    """The rule catalog, or one rule's full documentation."""
    rules, errors = rule_set(list(policies))
    if errors:
        raise InputErrors(errors)
    if rule is None:
        for r in rules:
            click.echo(f"{r.id:<8} {r.severity:<9} {'/'.join(r.subjects) if len(r.subjects) < 7 else 'any':<28} "
                       f"{r.title}")
        return EXIT_CLEAN
    chosen = [r for r in rules if r.id == rule.upper()]
    if not chosen:
        raise UsageError(f"no rule {rule!r}; `policylint rules` lists them")
    click.echo(_rule_doc(chosen[0]))
    return EXIT_CLEAN


def _rule_doc(rule: Rule) -> str:
    references = "\n".join(f"  - {ref}" for ref in rule.references)
    subjects = "any" if len(rule.subjects) == len(NODE_KINDS) else ", ".join(rule.subjects)
    return (f"{rule.id}: {rule.title}\n\nseverity: {rule.severity}\nsubject: {subjects}\n"
            f"defined in: {rule.location}\n\nWhy it matters:\n{_indent(rule.rationale)}\n\n"
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
    click.echo(json.dumps(schema, indent=2, ensure_ascii=False))
    return EXIT_CLEAN


def _report_errors(errors: Sequence[PolicylintError]) -> int:
    for error in errors:
        click.echo(str(error), err=True)
    return EXIT_INPUT if errors else EXIT_CLEAN


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
    except PolicylintError as exc:
        click.echo(f"policylint: error: {exc}", err=True)
        return exc.exit_code
    except RecursionError:
        click.echo("policylint: internal error: input nested too deeply for this build; please report it at "
                   f"{ISSUES_URL}", err=True)
        return EXIT_INTERNAL
    except Exception as exc:  # the boundary: a bug must still end in a clear message and exit 3
        click.echo(f"policylint: internal error: {type(exc).__name__}: {redact(str(exc))}\n"
                   f"This is a bug in policylint; please report it at {ISSUES_URL} "
                   "with the command you ran.", err=True)
        return EXIT_INTERNAL
    return result if isinstance(result, int) else EXIT_CLEAN


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
