"""`graph` and `report` take the format a file's name says, and refuse a name that says another."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import REPO, run_cli

ACME = str(REPO / "examples" / "acme")


@pytest.mark.parametrize(("case", "args", "starts"), [
    ("dot by its suffix", ["-o", "g.dot"], "digraph"),
    ("Graphviz's other suffix", ["-o", "g.gv"], "digraph"),
    ("JSON by its suffix", ["-o", "g.json"], "{"),
    ("GraphML by its suffix", ["-o", "g.graphml"], "<?xml"),
    ("--format where the suffix agrees", ["--format", "dot", "-o", "g.dot"], "digraph"),
])
def test_graph_writes_the_format_the_file_name_says(case: str, args: list[str], starts: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_cli("graph", ACME, *args).code == 0
    assert (tmp_path / args[-1]).read_text(encoding="utf-8").startswith(starts)


@pytest.mark.parametrize(("case", "args", "message"), [
    ("a suffix that names another format", ["--format", "dot", "-o", "g.json"],
     "expected -o to end in the suffix of --format dot, found g.json, which names json"),
    ("a suffix of no graph format", ["-o", "g.txt"],
     "expected -o to end in .graphml, .dot, .gv, .json (or --format neo4j and a folder), found g.txt"),
    ("a file name for neo4j's folder", ["--format", "neo4j", "-o", "neo.csv"],
     "expected -o to name a folder with --format neo4j (it writes nodes.csv, relationships.csv and "
     "queries.cypher there), found the file name neo.csv"),
])
def test_graph_refuses_a_name_that_says_another_format(case: str, args: list[str], message: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = run_cli("graph", ACME, *args)
    assert (run.code, run.err.strip()) == (2, f"policylint: error: {message}")
    assert list(tmp_path.iterdir()) == []


def test_report_writes_only_html(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = run_cli("report", ACME, "--as-of", "2026-11-27", "-o", "audit.pdf")
    assert (run.code, run.err.strip()) == (2, "policylint: error: expected -o to name an .html file (the report is "
                                              "one HTML page), found audit.pdf; `policylint check -o FILE` writes "
                                              ".sarif, .json, .xml, .csv and .txt")
    assert list(tmp_path.iterdir()) == []
