"""Session fixtures of the real-system e2e: the toolchain, one control plane, one world, the report.

Session scope because starting the control plane and seeding the world are the slow part;
scenarios share them, and each must leave the world as seeded (rollback is what they test).
``--keep`` leaves the control plane running after the session and prints how to reach and
stop it, and keeps the stacks of the modules that use ``stack_keeper`` (their state, project
folder and Pulumi home) with the lines that go on with each by hand.
"""

from __future__ import annotations

import importlib.metadata
import sys
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest

from e2e.harness import argocd as argocd_runner
from e2e.harness import diagnose, parallel
from e2e.harness.argocd import ArgoCD
from e2e.harness.control_plane import ControlPlane, started
from e2e.harness.stack_driver import ROOT, Report
from e2e.harness.toolchain_go import ensure_go_toolchain
from e2e.harness.world import World, seed
from openclaw_runtime import install as toolchain_openclaw
from openclaw_runtime.install import OpenClawInstall

# The verdicts assert outside the test modules; rewritten, a failed one shows its values.
pytest.register_assert_rewrite("e2e.harness.verdicts")

REPORT = ROOT / "rendered" / "e2e" / "report.json"
# What runs in place of what cannot be built here; the report names them as stand-ins.
STANDINS = {
    "pulumi-resource-aws": "stand-in: e2e/harness/standins (moto as the AWS API)",
    "pulumi-resource-random": "stand-in: e2e/harness/standins",
    "pulumi-language-python": (
        "stand-in: e2e/harness/standins/language_host (the CLI's programs and policy packs); the "
        "Automation API's modules still host __main__.py inline"
    ),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--keep",
        action="store_true",
        default=False,
        help="leave the e2e control plane running and print its export lines",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The secrets scan searches what the other modules of its group left: it runs last."""
    items.sort(key=lambda item: "test_secrets_scan.py" in item.nodeid)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> parallel.GroupScheduling:
    """With workers, each group of modules runs whole on one (e2e.harness.parallel)."""
    return parallel.GroupScheduling(config, log)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "e2e: starts real processes from the built Go toolchain (./bin/e2e)"
    )
    name = parallel.worker()
    if name is not None:  # xdist drops a worker's stdout: the progress lines go to stderr
        stderr = sys.__stderr__ or sys.stderr
        sys.stdout = parallel.Prefixed(stderr, f"[{name}] ")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controller of a run with workers writes report.json from their parts."""
    if parallel.worker() is None:
        parallel.merge_parts(REPORT)


@pytest.fixture(scope="session")
def toolchain() -> dict[str, Any]:
    """Builds what is missing (the first run takes long; later runs find it cached)."""
    built: dict[str, Any] = ensure_go_toolchain()
    return built


@pytest.fixture(scope="session")
def go_bin_dir(toolchain: dict[str, Any]) -> Path:
    return Path(toolchain["bin_dir"])


@pytest.fixture(scope="session")
def openclaw() -> OpenClawInstall:
    """The pinned OpenClaw (installed once into the cache; ./bin/e2e installs it first)."""
    return toolchain_openclaw.ensure()


REPORT_KEY = pytest.StashKey[Report]()
PLANE_KEY = pytest.StashKey[ControlPlane]()


@pytest.fixture(scope="session", autouse=True)
def e2e_report(
    request: pytest.FixtureRequest, toolchain: dict[str, Any], openclaw: OpenClawInstall
) -> Iterator[Report]:
    """rendered/e2e/report.json, written at the end of the session whatever happened."""
    report = Report()
    request.config.stash[REPORT_KEY] = report
    report.versions = {
        **{name: str(version) for name, version in toolchain["versions"].items()},
        **STANDINS,
        "node": openclaw.node_version,
        "openclaw": openclaw.openclaw_version,
        "moto": importlib.metadata.version("moto"),
        "pulumi (python sdk)": importlib.metadata.version("pulumi"),
        "pulumi-kubernetes (python sdk)": importlib.metadata.version("pulumi_kubernetes"),
    }
    yield report
    name = parallel.worker()
    report.write(REPORT if name is None else parallel.part_path(REPORT, name))
    print(f"\ne2e report: {REPORT}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    """Each test is one step of the report: its name, outcome and time. A failed step's
    report also shows the control plane as it was then (e2e/harness/diagnose.py)."""
    outcome = yield
    result = outcome.get_result()
    report = item.config.stash.get(REPORT_KEY, None)
    if result.when == "call" and report is not None:
        report.step(item.name, result.passed, result.duration)
    plane = item.config.stash.get(PLANE_KEY, None)
    if result.failed and plane is not None:
        result.sections.append(("control plane at the failure", diagnose.snapshot(plane)))


@pytest.fixture(autouse=True)
def _announce(request: pytest.FixtureRequest) -> Iterator[None]:
    """A line per step as it starts, so a multi-minute `pulumi up` is never a silent wait."""
    print(f"\n[e2e] {request.node.name} ...", flush=True)
    started_at = time.monotonic()
    yield
    print(f"[e2e] {request.node.name} done in {time.monotonic() - started_at:.1f} s", flush=True)


@pytest.fixture(scope="session")
def control_plane(
    request: pytest.FixtureRequest, go_bin_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ControlPlane]:
    keep = bool(request.config.getoption("--keep"))
    # pytest prunes old temp dirs, which would pull a kept plane's files from under it.
    if keep:
        run_dir = Path(tempfile.mkdtemp(prefix="openclaw-e2e-"))
    else:
        run_dir = tmp_path_factory.mktemp("control-plane")
    with started(go_bin_dir, run_dir, keep=keep) as plane:
        request.config.stash[PLANE_KEY] = plane
        yield plane
        del request.config.stash[PLANE_KEY]
    if keep:
        # Session teardown output is captured (and dropped on success) unless we step past it.
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled() if capture else nullcontext():
            print(f"\ncontrol plane kept running in {run_dir}:")
            print("\n".join(plane.export_lines()))


class StackKeeper:
    """Where a module's stack lives, and what happens to it when the module is done: removed,
    or with ``--keep`` left in a folder pytest does not prune, printed at the end."""

    def __init__(self, keep: bool, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.keep = keep
        self.tmp_path_factory = tmp_path_factory
        self.kept: list[tuple[str, list[str]]] = []

    def work(self, name: str) -> Path:
        if self.keep:
            return Path(tempfile.mkdtemp(prefix=f"openclaw-e2e-{name}-"))
        return self.tmp_path_factory.mktemp(name)

    def done(self, stack: str, lines: list[str], remove: Callable[[], None]) -> None:
        """`lines`: what a person pastes to go on (`StackDriver.keep_lines`)."""
        if self.keep:
            self.kept.append((stack, lines))
        else:
            remove()


@pytest.fixture(scope="session")
def stack_keeper(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StackKeeper]:
    keeper = StackKeeper(bool(request.config.getoption("--keep")), tmp_path_factory)
    yield keeper
    if keeper.kept:
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        with capture.global_and_fixture_disabled() if capture else nullcontext():
            for stack, lines in keeper.kept:
                print(
                    f"\nstack {stack} kept; to go on by hand (`pulumi preview` shows what the "
                    "run left):"
                )
                print("\n".join(lines))


@pytest.fixture(scope="session")
def argocd(request: pytest.FixtureRequest, control_plane: ControlPlane, go_bin_dir: Path) -> ArgoCD:
    """Argo CD on the control plane; its processes stop with the plane's."""
    keep = bool(request.config.getoption("--keep"))
    return argocd_runner.start(control_plane, go_bin_dir, keep=keep)


@pytest.fixture(scope="session")
def world(control_plane: ControlPlane, argocd: ArgoCD) -> World:
    return seed(control_plane, argocd)
