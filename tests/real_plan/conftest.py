"""The plan's real layer: the real OpenClaw judges base and result, Mermaid parses plan.md.

Why a layer of its own: these need installs (the pinned OpenClaw, OpenClaw 2026.3.2 — the
oldest release that can judge — and Mermaid's parser, each once into the cache) and take
seconds per test. Every test is marked `real`; none is ever skipped: without an install the
test fails and names the command that installs it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools import mermaid_parser
from devtools.mermaid_parser import MermaidParser
from openclaw_runtime import install as openclaw_install
from openclaw_runtime.judge import OLDEST_JUDGING

HERE = Path(__file__).resolve().parent
TEST_TIMEOUT_S = 300


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.real)
            item.add_marker(pytest.mark.timeout(TEST_TIMEOUT_S))


def _openclaw(version: str | None) -> openclaw_install.OpenClawInstall:
    install = openclaw_install.installed(version)
    if install is None:
        wanted = openclaw_install.location(version)
        pytest.fail(
            f"OpenClaw {wanted.openclaw_version} is not installed at {wanted.root}. Install it "
            f"once: python -m openclaw_runtime.install {version or ''}".rstrip(),
            pytrace=False,
        )
    return install


@pytest.fixture(scope="session")
def pinned_openclaw() -> openclaw_install.OpenClawInstall:
    """The pinned release (~1 min to install)."""
    return _openclaw(None)


@pytest.fixture(scope="session")
def oldest_openclaw() -> openclaw_install.OpenClawInstall:
    """2026.3.2, the oldest release with `config validate` (~2-3 min to install)."""
    return _openclaw(OLDEST_JUDGING)


@pytest.fixture(scope="session")
def mermaid() -> MermaidParser:
    """Mermaid's parser (~30 s to install)."""
    parser = mermaid_parser.installed()
    if parser is None:
        pytest.fail(
            f"Mermaid's parser is not installed at {mermaid_parser.location().root}. Install it "
            f"once: {mermaid_parser.INSTALL_COMMAND}",
            pytrace=False,
        )
    return parser
