"""Shared fixtures: the `dev` stack's config, and one run of the program per config.

The Pulumi runtime is imported inside the fixtures, not here: under pytest-xdist the
controlling process loads this file too, and it starts the workers sooner without it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tools.mock_runtime import Recording


@pytest.fixture(scope="session")
def dev_config() -> dict[str, Any]:
    """Exactly what `pulumi up` on the dev stack would hand the program."""
    from tools.plan import load_stack_config

    _, config = load_stack_config("dev")
    return config.values


@pytest.fixture(scope="session")
def dev_run(dev_config: dict[str, Any]) -> Recording:
    """One evaluation of __main__.py with the dev stack (read-only: don't mutate it)."""
    from tools.mock_runtime import run_program

    return run_program(dev_config)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remove the seeded git repositories of this process (git_bare_repo.py).

    Their TemporaryDirectory's own finalizer does not run in an xdist worker, which ends
    without the interpreter's exit handlers: seed directories were left in /tmp.
    """
    seeds = sys.modules.get("git_bare_repo")
    if seeds is not None:
        seeds.remove_seeds()
