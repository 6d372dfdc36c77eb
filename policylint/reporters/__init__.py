"""Reporters: pure functions from a report to text. Registered here by format name."""

from __future__ import annotations

from collections.abc import Callable

from policylint.exposure import Exposure
from policylint.pipeline import Report
from policylint.reporters import github, gitlab, junit, sarif
from policylint.reporters import json as json_format
from policylint.reporters import text as text_format

CHECK: dict[str, Callable[[Report], str]] = {
    "text": text_format.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
    "gitlab": gitlab.render,
}
REACH: dict[str, Callable[[str, list[Exposure]], str]] = {
    "text": text_format.render_reach,
    "json": json_format.render_reach,
}
