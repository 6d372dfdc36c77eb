"""The README's promises: CI runs its test command verbatim, and the output it shows is what the tool prints."""

from __future__ import annotations

import re

from helpers import REPO, run_cli

README = (REPO / "README.md").read_text(encoding="utf-8")


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.S)


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = next(line for block in shell_blocks() for line in block.splitlines() if "pytest" in line)
    assert test_command in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_the_output_shown_in_the_readme_is_what_check_prints() -> None:
    shown = re.search(r"```text\n(examples/acme/.*?)```", README, flags=re.S)
    assert shown is not None
    result = run_cli("check", str(REPO / "examples" / "acme"), "--as-of", "2026-11-27")
    assert result.code == 1
    printed = result.out.replace(str(REPO) + "/", "").splitlines()
    for line in shown.group(1).splitlines():
        if line != "...":
            assert line in printed, line


def test_the_reach_excerpt_is_what_reach_prints() -> None:
    excerpt = re.search(r"```text\n(kim\.jh \(person.*?)```", README, flags=re.S)
    assert excerpt is not None
    result = run_cli("reach", str(REPO / "examples" / "acme"), "--as-of", "2026-11-27")
    printed = result.out.replace(str(REPO) + "/", "").splitlines()
    for line in excerpt.group(1).splitlines():
        assert line in printed, line
