"""The native marker in any layout, and its near misses: what is native, what is a located error, what is not ours."""

from __future__ import annotations

import json

import pytest

from policylint.sources.native_marker import is_native, near_miss

SECTIONS = {"people": [{"id": "kim", "status": "active"}]}


@pytest.mark.parametrize(("case", "text"), [
    ("yaml", "policylint: 1\npeople: []\n"),
    ("yaml, marker last", "people: []\npolicylint: 1\n"),
    ("flow", "{people: [], policylint: 1}\n"),
    ("json indent 2", json.dumps({"policylint": 1, **SECTIONS}, indent=2)),
    ("json marker last, one line", json.dumps({**SECTIONS, "policylint": 1})),
    ("json with a BOM and tabs", "\ufeff" + json.dumps({**SECTIONS, "policylint": 1}, indent="\t")),
    ("json that does not parse", '{\n  "people": [],\n  "policylint": 1,\n}\n'),  # loading it says why
])
def test_native_in_any_layout(case: str, text: str) -> None:
    assert is_native(text)


@pytest.mark.parametrize(("case", "text"), [
    ("a nested key", json.dumps({"name": "web", "config": {"policylint": {"paths": ["infra"]}}}, indent=2)),
    ("an ignore comment", "apiVersion: v1\nkind: ServiceAccount\n# policylint: ignore PL103\n"),
    ("an indented key", "tools:\n  policylint: 1\n"),
])
def test_not_native(case: str, text: str) -> None:
    assert not is_native(text)


@pytest.mark.parametrize(("case", "text", "message"), [
    ("typo", "policylnt: 1\npeople: []\n",
     "org.yaml:1:1: error: expected the marker 'policylint: 1' at the top level, found 'policylnt', a misspelling of "
     "it"),
    ("quoted, upper case", "people: []\n'PolicyLint': 1\n",
     "org.yaml:2:1: error: expected the marker 'policylint: 1' at the top level, found 'PolicyLint', a misspelling of "
     "it"),
    ("json", '{"people": [],\n "policy_lint": 1}',
     "org.yaml:2:2: error: expected the marker 'policylint: 1' at the top level, found 'policy_lint', a misspelling "
     "of it"),
    ("sections only", "# inventory\npeople: []\ngroups: []\n",
     "org.yaml:2:1: error: expected 'policylint: 1' at the top level of a file with native sections (groups, people), "
     "found no marker"),
])
def test_near_misses_are_located(case: str, text: str, message: str) -> None:
    assert str(near_miss("org.yaml", text)) == message


@pytest.mark.parametrize(("case", "text"), [
    ("prometheus rules", "groups:\n  - name: api\n    rules: []\n"),
    ("kustomization", "resources:\n  - deployment.yaml\n"),
    ("a section among other keys", "people: []\nreplicas: 2\n"),
    ("helm values", "image: {repository: nginx}\npolicy: {lint: true}\n"),
    ("a url at the start of a line", "http://example.com: 1\n"),
])
def test_other_files_are_not_near_misses(case: str, text: str) -> None:
    assert near_miss("org.yaml", text) is None
