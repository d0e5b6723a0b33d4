"""The real-OpenClaw layer: every test here runs the pinned OpenClaw (openclaw_runtime/pins.toml).

Why a layer of its own: these tests judge what the stack writes with the gateway that reads
it, so they need the pinned install (`python -m openclaw_runtime.install`, once) and take tens
of seconds. Every test is marked `real` (`pytest -m "not real"` leaves them out); none is ever
skipped: without the install each one fails and says how to install it. Measurements taken
by the tests (start and reload times) are printed at the end of the run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from e2e.harness.openclaw_home import OpenClawHome
from openclaw_runtime import install as toolchain_openclaw
from openclaw_runtime.install import OpenClawInstall
from real_openclaw.stack_documents import ENV_NAME

HERE = Path(__file__).resolve().parent
INSTALL_COMMAND = "python -m openclaw_runtime.install"
# The gateway needs a few minutes at worst (start ~25 s, a hot reload < 1 s, a run < 1 s).
TEST_TIMEOUT_S = 600
_MEASURED = pytest.StashKey[list[tuple[str, str]]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_MEASURED] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.real)
            item.add_marker(pytest.mark.timeout(TEST_TIMEOUT_S))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    measured = config.stash.get(_MEASURED, [])
    if measured:
        terminalreporter.section("real OpenClaw measurements")
        for name, value in measured:
            terminalreporter.write_line(f"{name}: {value}")


@pytest.fixture(scope="session")
def measure(pytestconfig: pytest.Config) -> Callable[[str, str], None]:
    """Records a measurement for the summary at the end of the run."""
    return lambda name, value: pytestconfig.stash[_MEASURED].append((name, value))


@pytest.fixture(scope="session")
def openclaw() -> OpenClawInstall:
    """The pinned install; a test without it fails (never skips) and names the fix."""
    install = toolchain_openclaw.installed()
    if install is None:
        wanted = toolchain_openclaw.location()
        pytest.fail(
            f"OpenClaw {wanted.openclaw_version} (Node {wanted.node_version}) is not installed "
            f"at {wanted.root}. Install it once (~1 min): {INSTALL_COMMAND}",
            pytrace=False,
        )
    return install


@pytest.fixture
def openclaw_home(openclaw: OpenClawInstall, tmp_path: Path) -> OpenClawHome:
    """An isolated OpenClaw whose environment has the token variable, as the pod does."""
    return OpenClawHome(openclaw, tmp_path / "openclaw", {ENV_NAME: "0" * 64})
