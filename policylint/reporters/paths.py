"""Evidence paths as one line of text: `kim.jh –holds→ ak-7731 –authenticates as→ order-sync –assumes→ …`.

Every text-like format (text, GitHub, GitLab, JUnit, SARIF messages, CSV) renders a path here, so a relation reads
the same everywhere. The steps are already redacted and escaped by the time they get here (`shown`).
"""

from __future__ import annotations

from collections.abc import Iterable

from policylint.graph import Step


def edge(step: Step) -> str:
    """The arrow into a step: its relation, the set it went through, and its condition."""
    words = step.label
    if step.through:
        words += f" ({step.through})"
    if step.condition:
        words += f" [if {step.condition}]"
    return f" –{words}→ "


def compact(path: Iterable[Step]) -> str:
    parts: list[str] = []
    for number, step in enumerate(path):
        parts.append(step.node if number == 0 else edge(step) + step.node)
    return "".join(parts)
