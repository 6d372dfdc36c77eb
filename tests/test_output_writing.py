"""policylint/output.py: -o never writes over an input, never leaves a half-written file, never replaces a device."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from policylint.errors import UsageError
from policylint.findings import Finding, fingerprint
from policylint.model import Location
from policylint.output import refuse_inputs, refuse_links, write_output
from policylint.report import Report
from policylint.reporters import CHECK, STREAM_CHECK
from policylint.reporters import text as text_format


def test_a_regular_file_is_replaced_whole_keeping_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old report\n")
    target.chmod(0o640)
    write_output(target, "new report\n", [])
    assert target.read_text() == "new report\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]  # no temporary file left


def test_a_new_file_gets_the_usual_mode(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_output(tmp_path / "report.txt", "x\n", [])
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "report.txt").stat().st_mode) == 0o644


@pytest.mark.parametrize("how", ["same path", "relative path", "hard link", "symbolic link"])
def test_an_input_is_refused_and_left_byte_identical(tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch
                                                     ) -> None:
    roster = tmp_path / "people.yaml"
    roster.write_bytes(b"policylint: 1\npeople: [{id: kim, status: departed}]\n")
    target = {"same path": roster, "relative path": Path("people.yaml"), "hard link": tmp_path / "link.yaml",
              "symbolic link": tmp_path / "sym.yaml"}[how]
    if how == "hard link":
        os.link(roster, target)
    if how == "symbolic link":
        target.symlink_to(roster)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError) as raised:
        write_output(target, "report", [str(roster)])
    assert str(raised.value) == (f"expected -o to name a file reached through no symbolic link, found {target}, a "
                                 f"symbolic link to {roster} (name the real path instead)" if how == "symbolic link"
                                 else f"expected -o to name a file that is not one of the run's inputs, found "
                                      f"{target}, which is the input {roster}")
    assert roster.read_bytes() == b"policylint: 1\npeople: [{id: kim, status: departed}]\n"
    with pytest.raises(UsageError):
        refuse_inputs(target, [roster])


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "baseline.json"
    target.write_text("{}\n")

    def full_disk(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(UsageError, match=r"expected to write the report to .*baseline\.json, found: No space left"):
        write_output(target, "x" * 100_000, [])
    assert target.read_text() == "{}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline.json"]


def test_a_pipe_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_output(fifo, "through the pipe\n", [])
        assert os.read(reader, 100) == b"through the pipe\n"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_device_is_written_in_place_never_replaced() -> None:
    before = os.stat("/dev/null")
    write_output(Path("/dev/null"), "discarded\n", [])
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"expected to write the baseline to .*, found: No such file or directory"):
        write_output(tmp_path / "nowhere" / "b.json", "{}", [], what="the baseline")


def test_a_link_to_a_report_is_refused_and_what_it_names_is_untouched(tmp_path: Path) -> None:
    """A committed `policylint.sarif -> ~/.bashrc` must not let `-o policylint.sarif` write outside the repository."""
    victim = tmp_path / "home" / ".bashrc"
    victim.parent.mkdir()
    victim.write_text("export PATH=$HOME/bin:$PATH\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    link = repo / "policylint.sarif"
    link.symlink_to(victim)
    with pytest.raises(UsageError, match=r"expected -o to name a file reached through no symbolic link, found "
                                         r".*policylint\.sarif, a symbolic link to .*\.bashrc"):
        write_output(link, '{"runs": []}\n', [repo / "people.yaml"])
    assert link.is_symlink() and victim.read_text() == "export PATH=$HOME/bin:$PATH\n"
    assert sorted(p.name for p in repo.iterdir()) == ["policylint.sarif"]
    assert sorted(p.name for p in victim.parent.iterdir()) == [".bashrc"]


@pytest.mark.parametrize("written", ["out/report.sarif", "out/../report.sarif", "out/sub/report.sarif"])
def test_a_path_through_a_linked_folder_is_refused(tmp_path: Path, written: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "sub").mkdir(parents=True)
    (elsewhere / "report.sarif").write_text("precious\n")
    (elsewhere / "sub" / "report.sarif").write_text("precious\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "out").symlink_to(elsewhere, target_is_directory=True)
    monkeypatch.chdir(repo)
    for target in (Path(written), repo / written):
        with pytest.raises(UsageError, match=r"found .*out, a symbolic link to .*elsewhere"):
            refuse_links(target)
        with pytest.raises(UsageError, match="reached through no symbolic link"):
            write_output(target, "new\n", [])
    assert (elsewhere / "report.sarif").read_text() == "precious\n"
    assert (elsewhere / "sub" / "report.sarif").read_text() == "precious\n"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["report.sarif", "sub"]


def test_device_paths_are_links_and_still_allowed(tmp_path: Path) -> None:
    refuse_links(Path("/dev/stdout"))  # a link to /proc/self/fd/1: standard output, whatever it is
    refuse_links(Path("/dev/null"))
    refuse_links(tmp_path / "report.sarif")  # no link on the way


def test_a_report_written_in_pieces_is_the_whole_text_and_a_failing_one_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    write_output(target, iter(["a\n", "b\n", "c\n"]), [])
    assert target.read_text() == "a\nb\nc\n"

    def broken() -> Iterator[str]:
        yield "half of a new report\n"
        raise RuntimeError("a bug while rendering")

    with pytest.raises(RuntimeError):
        write_output(target, broken(), [])
    assert target.read_text() == "a\nb\nc\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]


def test_a_report_in_pieces_is_the_text_whole_and_no_piece_starts_a_workflow_command() -> None:
    """A long report is written as it is made (its whole text was held three times over: 500 MB at enterprise
    size); each piece is whole lines, each escaped as the whole text was."""
    findings = [Finding(Location(f"f{n}.yaml", n, 1), "PL101", "credential", f"::error ::k{n}", "high", "t",
                        f"message {n}\n::set-output name=x::##[stop-commands]", (), fingerprint("PL101", "c", str(n)))
                for n in range(3 * text_format.LINES_PER_PIECE)]
    report = Report(date(2026, 1, 1), findings, [], 1, (), 0)
    pieces = list(STREAM_CHECK["text"](report))
    assert len(pieces) >= 3 and all(piece.endswith("\n") for piece in pieces)
    assert "".join(pieces) == CHECK["text"](report)
    assert not any(line.lstrip().startswith("::") or "##[" in line for line in "".join(pieces).splitlines())
    for name in ("json", "sarif"):  # a finding at a time, the same document
        pieces = list(STREAM_CHECK[name](report))
        assert len(pieces) > len(findings) and "".join(pieces) == CHECK[name](report)
        assert len(json.loads("".join(pieces))["findings" if name == "json" else "runs"]) > 0
