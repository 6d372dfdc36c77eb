"""Detection is the registry's decision: every real file of the repository (the vendored corpus, the source, rule and
reporter fixtures, the examples) is claimed by exactly one source, whatever the order of SOURCES."""

from __future__ import annotations

import ast
import importlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from policylint.flags import K8S_AGGREGATED
from policylint.inventory import load_paths
from policylint.model import Group, Inventory, Location, Role
from policylint.sources import SOURCES, Lazy, LazyLinker, claimants, kubernetes
from policylint.sources.aws import authz
from policylint.yamlsafe import decode

from helpers import REPO, write

FOLDERS = ("tests/corpus", "tests/sources/fixtures", "tests/rules", "tests/reporters/fixtures", "examples")
# Files no source claims, and why that is right.
NOT_INVENTORY = {
    "README.md": "documentation",
    "SOURCES.md": "where the corpus files come from",
    "expected.txt": "a rule fixture's expected findings",
    "ACME001.yaml": "a rule of the reporter tests' own policy folder, read by --policies",
    "make_state.py": "the script that made the Terraform example's state, to plan it offline",
}
NOT_INVENTORY_FOLDERS = {"LICENSES": "the corpus files' licences and notices"}
FILES = sorted(p.relative_to(REPO).as_posix() for folder in FOLDERS for p in (REPO / folder).rglob("*") if p.is_file())


def test_every_folder_is_there() -> None:
    assert [folder for folder in FOLDERS if not (REPO / folder).is_dir()] == []


@pytest.mark.parametrize("name", FILES)
def test_each_file_is_claimed_by_exactly_one_source(name: str) -> None:
    path = REPO / name
    claimed = claimants(name, decode(path.read_bytes(), name))
    if path.name in NOT_INVENTORY or NOT_INVENTORY_FOLDERS.keys() & set(path.parts):
        assert claimed == []
    else:
        assert len(claimed) == 1, claimed



def test_the_terraform_reader_is_imported_only_when_a_file_needs_it(tmp_path: Path) -> None:
    """Start-up: the grammar, the evaluator and the plan translation were a third of it, on every run, Terraform
    or not."""
    probe = ("import sys, policylint.cli\n"
             "from policylint.cli import main\n"
             "code = main(['check', sys.argv[1], '--as-of', '2026-01-01'])\n"
             "print(code, 'policylint.sources.terraform.hcl' in sys.modules, 'lark' in sys.modules,\n"
             "      'policylint.sources.terraform.plan' in sys.modules)\n")
    native = write(tmp_path / "native", "org.yaml", "policylint: 1\npeople:\n  - {id: kim, status: active}\n")
    terraform = write(tmp_path / "tf", "main.tf", 'resource "aws_iam_user" "kim" {\n  name = "kim"\n}\n')
    for folder, imported in ((native.parent, "False False False"), (terraform.parent, "True True True")):
        shown = subprocess.run([sys.executable, "-c", probe, str(folder)], capture_output=True, text=True,
                               check=True).stdout.splitlines()[-1]
        assert shown.split(" ", 1)[1] == imported, shown


READERS = ("policylint.sources.kubernetes", "policylint.sources.gcp", "policylint.sources.aws.",
           "policylint.sources.hr.", "policylint.sources.terraform.")
PROBE = ("import sys\n"
         "from policylint.cli import main\n"
         "code = main(['check', *sys.argv[1:], '--as-of', '2026-01-01'])\n"
         "print(sorted(m for m in sys.modules if m.startswith('policylint.sources')))\n"
         "print(sorted(m for m in ('jsonschema', 'networkx', 'lark') if m in sys.modules))\n")


@dataclass(frozen=True)
class Imported:
    report: list[str]  # what the check printed
    modules: set[str]  # the `policylint.sources` modules it imported
    libraries: list[str]  # and the large libraries


def _check(tmp_path: Path, folder: Path) -> Imported:
    """A `check` of the folder in a process of its own, whose user cache (the built-in rules' marker, the fragments
    of a folder outside a repository) is `tmp_path`'s."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    shown = subprocess.run([sys.executable, "-c", PROBE, str(folder)], capture_output=True, text=True,
                           env=env).stdout.splitlines()
    return Imported(shown[:-2], set(ast.literal_eval(shown[-2])), ast.literal_eval(shown[-1]))


def _readers(imported: Imported) -> set[str]:
    """The readers the run imported, by their module under `policylint.sources`."""
    registered = {s.module for s in SOURCES.values() if isinstance(s, Lazy)}
    return {m.removeprefix("policylint.sources.") for m in imported.modules & registered}


def test_a_native_run_imports_no_reader_nor_jsonschema(tmp_path: Path) -> None:
    """Start-up: the pre-commit hook on native files loads detection only; the rules' meta-schema checks (jsonschema)
    run once per installed version, so the second run imports no jsonschema either."""
    native = write(tmp_path / "native", "org.yaml", "policylint: 1\npeople:\n  - {id: kim, status: active}\n").parent
    first = _check(tmp_path, native)  # validates the built-in rules, and says so in the cache
    again = _check(tmp_path, native)
    assert [m for m in first.modules | again.modules if m.startswith(READERS) and not m.endswith("_names")] == []
    assert again.modules == {
        "policylint.sources", "policylint.sources.base", "policylint.sources.implied", "policylint.sources.native",
        "policylint.sources.native_marker", "policylint.sources.kubernetes_names", "policylint.sources.gcp_names",
        "policylint.sources.aws", "policylint.sources.aws.authz_names", "policylint.sources.aws.cloudformation_names",
        "policylint.sources.aws.credential_report_names", "policylint.sources.aws.policy_document_names",
        "policylint.sources.hr", "policylint.sources.hr.okta_names", "policylint.sources.hr.roster_csv_names",
        "policylint.sources.hr.scim_names", "policylint.sources.terraform", "policylint.sources.terraform.hcl_names",
        "policylint.sources.terraform.plan_names",
    }
    assert (first.libraries, again.libraries) == (["jsonschema"], [])


@pytest.mark.parametrize(("folder", "readers"), [
    ("examples/shopco", {"kubernetes", "gcp", "aws.authz", "aws.cloudformation", "aws.credential_report",
                         "hr.scim"}),
    # the templates' `allowed-to-assume:` groups are the AWS link's: its reader comes for the link alone
    ("tests/corpus/cloudformation", {"aws.cloudformation", "aws.authz"}),
], ids=["every platform", "AWS records another source read"])
def test_a_run_imports_the_readers_of_its_files_and_of_the_links_its_records_need(tmp_path: Path, folder: str,
                                                                                 readers: set[str]) -> None:
    copy = shutil.copytree(REPO / folder, tmp_path / "inventory")  # outside the repository: its own cache
    assert _readers(_check(tmp_path, copy)) == readers


def test_a_run_from_the_fragment_cache_links_as_the_first_did(tmp_path: Path) -> None:
    """Files read from the cache need no reader, but their records still need their links: the Kubernetes and AWS
    readers come for the links alone, and the report is the first run's."""
    copy = shutil.copytree(REPO / "examples/shopco", tmp_path / "inventory")
    first, again = _check(tmp_path, copy), _check(tmp_path, copy)
    assert _readers(again) == {"kubernetes", "aws.authz"}
    assert again.report == first.report
    assert any("k8s:" in line for line in first.report)


LINKED = ("examples/shopco", "examples/acme", "examples/terraform", "tests/corpus/k8s-rbac",
          "tests/corpus/aws-authz-details", "tests/corpus/cloudformation", "tests/corpus/terraform-plan",
          "tests/corpus/terraform-example")


@pytest.mark.parametrize("folder", LINKED)
def test_the_lazy_links_link_exactly_as_the_readers_own(folder: str) -> None:
    """`load_paths` links as it did when every reader was imported: the Kubernetes reader's `link`, then the AWS
    one's, on the merged inventory; and where a registry entry skips its link, the reader's would change nothing."""
    paths, root = [str(REPO / folder)], str(REPO / folder)
    merged = load_paths(paths, root=root, link=False).inventory
    assert load_paths(paths, root=root).inventory == authz.link(kubernetes.link(merged))
    for source in SOURCES.values():
        if isinstance(source, LazyLinker) and not source.links(merged):
            assert importlib.import_module(source.module).link(merged) == merged, source.NAME


def test_the_links_are_asked_of_whatever_holds_their_records() -> None:
    """A Kubernetes role or group, or an AWS account's group, whichever source defined it (a Terraform plan, a
    native file), makes its link run: `links` reads the merged inventory, never which reader was used."""
    at = Location("org.yaml", 1, 1)
    by_name = {name: source for name, source in SOURCES.items() if isinstance(source, LazyLinker)}
    k8s, aws = by_name[kubernetes.NAME].links, by_name[authz.NAME].links
    group = Inventory(groups=(Group("k8s:default:group:system:authenticated", at),))
    role = Inventory(roles=(Role("team-admins", at, flags=(K8S_AGGREGATED + "view",)),))
    assumers = Inventory(groups=(Group("aws:iam::111122223333:allowed-to-assume:*", at),))
    native = Inventory(groups=(Group("admins", at),), roles=(Role("deployer", at),))
    assert [(k8s(i), aws(i)) for i in (group, role, assumers, native)] == [
        (True, False), (True, False), (False, True), (False, False)]
