"""Shared fixtures: the cluster-mode `dev` stack's config, and one run of the program per config.

The Pulumi runtime is imported inside the fixtures, not here: under pytest-xdist the
controlling process loads this file too, and it starts the workers sooner without it.
"""

from __future__ import annotations

import copy
import gc
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tools.plan.mock_runtime import Recording


@pytest.fixture(scope="session")
def cluster_config() -> dict[str, Any]:
    """Exactly what `pulumi up` on the cluster-mode example of the dev stack would hand the
    program (tests/stack_files.py: most tests are about the section in a live ConfigMap)."""
    from stack_files import CLUSTER_STACK_FILE, ROOT

    from tools.plan.stack_file import load_stack

    return load_stack(ROOT, None, CLUSTER_STACK_FILE).config.values


@pytest.fixture(scope="session")
def cluster_run(cluster_config: dict[str, Any]) -> Recording:
    """One evaluation of __main__.py with that stack (read-only: don't mutate it)."""
    from tools.plan.mock_runtime import run_program

    return run_program(cluster_config)


_PLAN_RUNS: dict[str, Any] = {}


@pytest.fixture
def shared_program_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan's program runs, evaluated once per distinct input in each worker.

    Why: the plan's tests make ~80 plans from ~20 distinct stack configs, and a mock-runtime
    run was a quarter of the unit layer's time. The mock runtime is deterministic (fixed ids,
    the token derived from its keepers), so a deep copy of an earlier run is what a new run
    returns (test_shared_program_runs.py holds that); a failed run is raised again as a new
    ProgramFailed with a copy of what it had registered. Only for modules that patch nothing
    the program reads.
    """
    from tools.plan import app as plan
    from tools.plan.mock_runtime import ProgramFailed, run_program

    def shared(values: Mapping[str, Any], **options: Any) -> Recording:
        key = json.dumps([values, options], sort_keys=True, default=str)
        if key not in _PLAN_RUNS:
            try:
                _PLAN_RUNS[key] = run_program(values, **options)
            except ProgramFailed as failed:
                _PLAN_RUNS[key] = failed
        kept = _PLAN_RUNS[key]
        if isinstance(kept, ProgramFailed):
            raise ProgramFailed(kept.cause, copy.deepcopy(kept.recording))
        recording: Recording = copy.deepcopy(kept)
        return recording

    monkeypatch.setattr(plan, "run_program", shared)


PROCESS_DIR = Path(__file__).resolve().parent / "process"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The process layer is a folder (each layer collects only its own), and the marker says it
    in the module too: the two must agree, or a test would silently run in neither layer."""
    for item in items:
        in_folder = PROCESS_DIR in item.path.parents
        if in_folder != (item.get_closest_marker("process") is not None):
            where = "is outside tests/process/" if not in_folder else "has no `process` marker"
            raise pytest.UsageError(
                f"{item.nodeid} {where}: a test that starts processes is marked `process` "
                "and lives in tests/process/; any other test has neither"
            )
    if "__mutmut_" in os.environ.get("MUTANT_UNDER_TEST", ""):
        # mutmut runs a mutant's tests with -x, in the order it names them (a set's): the first
        # failure ends the run. Unit tests first, so a mutant they kill costs no process
        # test's start-ups (a plan module's mutant: 78 tests, 20 process tests before the kill).
        items.sort(key=lambda item: PROCESS_DIR in item.path.parents)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Move everything collection imported (pulumi, kubernetes' models, hypothesis: ~1M objects)
    out of the garbage collector's sight: they live until the process ends, yet every full
    collection walked them again, and pytest itself runs five at the end of each process."""
    gc.freeze()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remove the seeded git repositories of this process (git_bare_repo.py).

    Their TemporaryDirectory's own finalizer does not run in an xdist worker, which ends
    without the interpreter's exit handlers: seed directories were left in /tmp.
    """
    seeds = sys.modules.get("git_bare_repo")
    if seeds is not None:
        seeds.remove_seeds()
