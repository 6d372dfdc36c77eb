"""Progress on long runs: counts and stage names on a terminal, after a delay; nothing in pipes or CI."""

from __future__ import annotations

import io

import pytest

from policylint.pipeline import Timer, run
from policylint.progress import Shown, wanted
from policylint.settings import Settings

from helpers import AS_OF, REPO, run_cli


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("case", "asked", "tty", "ci", "expected"), [
    ("a terminal", None, True, "", True),
    ("a pipe", None, False, "", False),
    ("a CI log on a terminal", None, True, "true", False),
    ("asked for, in a pipe", True, False, "true", True),
    ("refused, on a terminal", False, True, "", False),
])
def test_progress_is_shown_on_a_terminal_outside_ci(case: str, asked: bool | None, tty: bool, ci: str,
                                                     expected: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", ci)
    stream = Terminal() if tty else io.StringIO()
    assert wanted(asked, stream) is expected


def test_a_run_reports_every_file_then_its_stages() -> None:
    seen: list[tuple[str, ...]] = []

    class Recorder:
        def files(self, done: int, total: int) -> None:
            seen.append(("file", str(done), str(total)))

        def stage(self, name: str) -> None:
            seen.append(("stage", name))

    run(Settings((str(REPO / "examples" / "acme"),), AS_OF), Timer(progress=Recorder()))
    files = [s for s in seen if s[0] == "file"]
    assert files == [("file", str(n), "9") for n in range(1, 10)]
    assert [s[1] for s in seen if s[0] == "stage"] == ["rules", "load", "graph", "reach", "facts and rules",
                                                       "suppress"]


def test_what_is_shown_is_counts_and_stage_names_only() -> None:
    stream = Terminal()
    with Shown(stream, delay=0) as shown:
        for done in range(1, 4):
            shown.files(done, 3)
        shown.stage("graph")
    text = stream.getvalue()
    assert "reading" in text and "/3 " in text and "graph" in text


def test_the_cli_shows_progress_when_asked_and_never_in_a_pipe_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Shown.__init__, "__defaults__", (0.0,))
    acme = str(REPO / "examples" / "acme")
    shown = run_cli("check", acme, "--as-of", "2026-11-27", "--progress")
    assert shown.code == 1 and "reading" in shown.err and "/9 " in shown.err and "graph" in shown.err
    quiet = run_cli("check", acme, "--as-of", "2026-11-27")
    assert quiet.code == 1 and "reading" not in quiet.err and quiet.err == ""
    assert run_cli("reach", acme, "--as-of", "2026-11-27", "--no-progress").err == ""


def test_a_long_stage_is_drawn_though_nothing_updates_it() -> None:
    """A stage has no updates of its own: it must still appear once it has run for the delay (it never did)."""
    import io
    import time

    from policylint.progress import Shown

    stream = io.StringIO()
    with Shown(stream, delay=0.1) as shown:
        shown.stage("graph")
        time.sleep(0.8)
        drawn = stream.getvalue()
    assert "graph…" in drawn
    quick = io.StringIO()
    with Shown(quick, delay=5.0) as shown:
        shown.stage("graph")
        time.sleep(0.6)
    assert "graph" not in quick.getvalue()
