"""The native source: what a file becomes in the model, detection, and merging across files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from policylint.inventory import load_paths
from policylint.model import Credential, Key, Location, Person, Resource
from policylint.sources import native

from helpers import write


def test_fields_become_model_records(tmp_path: Path) -> None:
    path = write(tmp_path, "org.yaml", """
        policylint: 1
        people:
          - {id: kim.jh, status: departed, departed: 2025-06-14, emails: [kim.jh@example.com], name: Kim Ji-hoon,
             team: Platform}
        credentials:
          - {id: ak-1, type: access_key, principal: kim.jh, status: active, created: 2024-02-01, expires: null}
        keys:
          - {id: jwt, purpose: signing, storage: file, rotated: 2023-03-01, rotation_days: 90.0, token_ttl: 15m,
             readable_by: [kim.jh], signs_for: ["*"]}
        resources:
          - {id: db, type: database, data: [customer_pii], records: 10, logging: true}
        """)
    loaded = load_paths([str(path)])
    assert loaded.errors == []
    inventory = loaded.inventory
    assert inventory.people == (Person("kim.jh", Location(str(path), 3, 5), "departed", date(2025, 6, 14),
                                       ("kim.jh@example.com",), display_name="Kim Ji-hoon", team="Platform"),)
    assert inventory.credentials == (Credential("ak-1", Location(str(path), 6, 5), "access_key", "kim.jh", None,
                                                "active", created=date(2024, 2, 1)),)
    (key,) = inventory.keys
    assert isinstance(key, Key) and key.rotation_days == 90 and isinstance(key.rotation_days, int)
    assert key.token_ttl_seconds == 900 and key.signs_for == ("*",)
    assert inventory.resources == (Resource("db", Location(str(path), 11, 5), "database", ("customer_pii",), 10,
                                            True),)


def test_sections_merge_across_files_in_path_order(tmp_path: Path) -> None:
    write(tmp_path, "a/people.yaml", "policylint: 1\npeople:\n  - {id: kim, status: active}\n")
    write(tmp_path, "b/more.yaml", "policylint: 1\npeople:\n  - {id: lee, status: active}\ngroups: []\n")
    loaded = load_paths([str(tmp_path)])
    assert [p.id for p in loaded.inventory.people] == ["kim", "lee"]
    assert loaded.files == [str(tmp_path / "a/people.yaml"), str(tmp_path / "b/more.yaml")]


@pytest.mark.parametrize(
    ("text", "native_file"),
    [
        ("policylint: 1\n", True),
        ('"policylint": 1\n', True),
        ("{policylint: 1}\n", True),
        ("# policylint: 1 is what we are not\nkind: Role\n", False),
        ("spec:\n  policylint: 1\n", False),
        ("apiVersion: v1\nkind: ServiceAccount\n", False),
    ],
)
def test_detection_looks_at_the_top_level_marker(text: str, native_file: bool) -> None:
    assert native.detect("f.yaml", text) is native_file
