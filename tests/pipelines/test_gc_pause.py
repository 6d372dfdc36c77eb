"""The cyclic collector during a run: paused, and afterwards frozen out of sight only for a run the process keeps.

A diff's base is not kept: frozen, the garbage cycles it left (exception tracebacks, parsed trees) would stay through
the head's run (a reviewer measured +46% peak memory for the pre-commit hook on a Terraform repository).
"""

from __future__ import annotations

import gc
from datetime import date

from policylint.pipeline import run
from policylint.settings import Settings

from helpers import REPO

ACME = str(REPO / "examples" / "acme")


def test_a_run_the_process_does_not_keep_is_not_frozen_and_leaves_the_collector_as_it_was() -> None:
    frozen = gc.get_freeze_count()
    assert gc.isenabled()
    run(Settings((ACME,), date(2026, 11, 27)))
    assert gc.get_freeze_count() <= frozen  # fewer when objects an earlier command's run froze were freed
    assert gc.isenabled()


def test_a_final_run_is_frozen_and_the_collector_runs_again() -> None:
    frozen = gc.get_freeze_count()
    try:
        result = run(Settings((ACME,), date(2026, 11, 27)), final=True)
        assert gc.get_freeze_count() > frozen
        assert gc.isenabled()
        assert result.report.findings
    finally:
        gc.unfreeze()  # the other tests' garbage stays collectable
