"""What a run found, for the reporters: the one record that crosses from the pipeline to every output format.

Reporters import this module and nothing of the pipeline, so a format can never reach back into the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from policylint.errors import InputError
from policylint.findings import Finding, Notice, Suppression
from policylint.rules import Rule


@dataclass(frozen=True, slots=True)
class Report:
    as_of: date
    findings: list[Finding]
    errors: list[InputError]
    files: int
    rules: tuple[Rule, ...]  # the rules that ran, with their metadata (SARIF describes each)
    exposed_identities: int
    suppressed: tuple[Suppression, ...] = ()
    notices: tuple[Notice, ...] = ()
    resolved: tuple[Finding, ...] = ()  # `diff`: findings of the base that are gone
    base: str | None = None  # `diff`: the base revision; its findings are the new ones
    skipped: tuple[tuple[str, str], ...] = ()  # (file, reason) for each walked file no source reads
    customer_resources: int | None = None  # resources classified as customer data; 0 is said out loud
    inputs: tuple[str, ...] = ()  # the inventory files read (a report is never written over one of them)
