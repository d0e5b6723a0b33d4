"""Shared fixtures: the `dev` stack's config, and one run of the program per config."""

from __future__ import annotations

from typing import Any

import pytest

from tools.mock_runtime import Recording, run_program
from tools.plan import load_stack_config


@pytest.fixture(scope="session")
def dev_config() -> dict[str, Any]:
    """Exactly what `pulumi up` on the dev stack would hand the program."""
    _, config = load_stack_config("dev")
    return config.values


@pytest.fixture(scope="session")
def dev_run(dev_config: dict[str, Any]) -> Recording:
    """One evaluation of __main__.py with the dev stack (read-only: don't mutate it)."""
    return run_program(dev_config)
