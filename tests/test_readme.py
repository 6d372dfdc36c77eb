"""The README's promises: CI runs its test command verbatim, and the output it shows is what the tool prints."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import yaml

from policylint.cli import cli
from policylint.config import load_config
from policylint.suppress import load_exceptions, scan_inline

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


def yaml_blocks(first_line: str) -> list[str]:
    return [b for b in re.findall(r"```(?:yaml|toml)\n(.*?)```", README, flags=re.S) if b.startswith(first_line)]


def test_the_config_snippets_load_and_name_real_settings(tmp_path: Path) -> None:
    [yaml_config] = yaml_blocks("# .policylint.yaml")
    (tmp_path / ".policylint.yaml").write_text(yaml_config, encoding="utf-8")
    config = load_config(tmp_path / ".policylint.yaml")
    assert config.fail_on == "high" and config.severity["PL306"].value == "low"
    [toml_config] = yaml_blocks("[tool.policylint]")
    (tmp_path / "pyproject.toml").write_text(toml_config, encoding="utf-8")
    assert load_config(tmp_path / "pyproject.toml").paths == (str(tmp_path / "infra"),)


def test_the_exceptions_snippet_and_the_inline_comment_are_accepted(tmp_path: Path) -> None:
    [exceptions] = yaml_blocks("# policylint-exceptions.yaml")
    (tmp_path / "exceptions.yaml").write_text(exceptions, encoding="utf-8")
    loaded, errors = load_exceptions(str(tmp_path / "exceptions.yaml"))
    assert errors == [] and [(e.rule, e.owner) for e in loaded] == [("PL104", "lee.sy")]
    [inline] = yaml_blocks("  - {id: ak-7731")
    (tmp_path / "inv.yaml").write_text(inline, encoding="utf-8")
    found, errors = scan_inline([str(tmp_path / "inv.yaml")])
    assert errors == [] and [(e.rule, str(e.expires)) for e in found] == [("PL104", "2026-03-01")]


def test_the_ci_snippets_run_real_commands() -> None:
    """Every `policylint …` command in the pre-commit, GitHub and GitLab snippets parses with the real CLI."""
    [hooks] = yaml_blocks("# .pre-commit-config.yaml")
    ids = {hook["id"] for repo in yaml.safe_load(hooks)["repos"] for hook in repo["hooks"]}
    assert ids <= {hook["id"] for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    commands = []
    for first in ("# .github/workflows/policylint.yml", "# .gitlab-ci.yml"):
        [block] = yaml_blocks(first)
        yaml.safe_load(block)
        commands += [line.split("policylint ", 1)[1] for line in block.splitlines()
                     if re.search(r"(run:|-) policylint ", line)]
    assert len(commands) == 2
    for command in commands:
        name, *args = shlex.split(command.replace("${{ github.base_ref }}", "main"))
        assert name == "diff"
        with cli.commands[name].make_context(name, args) as context:  # parses every option, runs nothing
            assert context.params["output"] in ("sarif", "gitlab") and context.params["base"].startswith("origin/")


def test_the_mixed_example_excerpt_is_what_check_prints() -> None:
    excerpt = re.search(r"```text\n(examples/shopco/.*?)```", README, flags=re.S)
    assert excerpt is not None
    result = run_cli("check", str(REPO / "examples" / "shopco"), "--as-of", "2026-03-21", "--select", "PL101")
    printed = result.out.replace(str(REPO) + "/", "").splitlines()
    for line in excerpt.group(1).splitlines():
        assert line in printed, line


def test_the_rule_catalog_table_lists_every_rule_with_its_severity() -> None:
    from policylint.diff import DIFF_RULES
    from policylint.rules import builtin_policies, load_rules

    table = dict(re.findall(r"^\| (PL\d+) \| (\w+) \|", README, flags=re.M))
    rules, _ = load_rules([builtin_policies()])
    assert table == {r.id: r.severity for r in [*rules, *DIFF_RULES]}


def test_the_facts_command_the_rule_section_suggests_works() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = re.search(r"`policylint (facts \S+ examples/acme)`", readme)
    assert command is not None
    result = run_cli(*command[1].split(), "--as-of", "2026-11-27")
    assert result.code == 0 and json.loads(result.out)["kind"] == "credential"
