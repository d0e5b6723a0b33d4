"""Two stacks on one Deployment (issue 30, item 5): each writes its env entry under its own
field manager, so neither one's operations touch the other's entry; and an entry of the legacy
shared manager moves to the stack's own at its next write, without a rollout of its own.

With one field manager for every stack, a second stack's first `up` removed the first stack's
entry (Server-Side Apply takes from a manager whatever its latest apply leaves out), and the two
stacks took turns putting their entry back. Here, on the real API server in the shared world:
the first stack `up`s, then its state is turned into one of the code before (no `fieldManager`)
and its entry handed to the legacy manager, as an upgraded stack finds them; the second stack
(another env name, parameter and ExternalSecret) `up`s beside it; the first one's preview shows
0 changes, and its rotation moves the entry to its own manager in that rotation's one rollout.
Each `up`, the rotation and each destroy leave the other stack's entry as it was, and each
stack's no-op preview stays at 0 changes after the other's `up`. The second stack's rotation
would run the same update as the first one's: left out, for the suite's time. Cluster mode
only, without the section (`section.present: false`): git mode changes nothing for the entry.

Each test is one step and depends on the ones before it: given (the two stacks as the steps
before left them) → when (one operation) → then (verdicts read from the cluster).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from e2e.harness import verdicts as then
from e2e.harness.control_plane import ControlPlane, apply
from e2e.harness.gitops_observe import env_entry_owners
from e2e.harness.given import ENV_NAME, PROJECT, field_manager, new_stack
from e2e.harness.observe import ClusterView
from e2e.harness.stack_driver import StackDriver
from e2e.harness.world import World
from stages.env_entry.identity import TYPE as ENV_ENTRY
from stages.env_entry.pod_spec import EnvTarget, apply_body, entry
from stages.kubernetes_meta import FIELD_MANAGER as LEGACY

pytestmark = pytest.mark.e2e

FIRST, SECOND = "e2e-first", "e2e-second"
SECOND_ENV = "SECOND_WEBHOOK_TOKEN"
SECOND_BASE = "second-webhook"  # the second stack's ExternalSecret and Secret
FIRST_BASE = "openclaw-cron-webhook"  # the defaults
DEPLOYMENT_PATH = "/apis/apps/v1/namespaces/openclaw/deployments/openclaw"
DESTROYED: set[str] = set()  # stacks the last step destroyed: the cleanup skips them


def _stack(
    control_plane: ControlPlane, go_bin_dir: Path, work: Path, name: str, config: dict[str, Any]
) -> StackDriver:
    driver = new_stack(work, go_bin_dir, name, control_plane, control_plane.kubeconfig)
    driver.set_config(
        {"aws:region": control_plane.region, f"{PROJECT}:section.present": False, **config}
    )
    return driver


@pytest.fixture(scope="module")
def stacks(
    control_plane: ControlPlane,
    go_bin_dir: Path,
    world: World,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[StackDriver, StackDriver]]:
    first = _stack(control_plane, go_bin_dir, tmp_path_factory.mktemp("pulumi-first"), FIRST, {})
    second = _stack(
        control_plane,
        go_bin_dir,
        tmp_path_factory.mktemp("pulumi-second"),
        SECOND,
        {
            f"{PROJECT}:deployment.envName": SECOND_ENV,
            f"{PROJECT}:token.parameterName": f"/lolice/openclaw/{SECOND_ENV}",
            f"{PROJECT}:externalSecret.name": SECOND_BASE,
            f"{PROJECT}:externalSecret.secretName": SECOND_BASE,
        },
    )
    yield first, second
    for driver in (second, first):  # after a failed step: the next module finds the world clean
        if driver.stack.name not in DESTROYED:
            driver.destroy("destroy (cleanup)")
        driver.remove()


@pytest.fixture(scope="module")
def view(control_plane: ControlPlane) -> Iterator[ClusterView]:
    with control_plane.api_client() as api_client:
        yield ClusterView(api_client)


def entries(view: ClusterView) -> dict[str, tuple[str | None, list[str]]]:
    """Each stack's env entry: the Secret it reads and the field managers that own it."""
    live = view.deployment()
    return {
        env: (view.env_secret(env), env_entry_owners(live, env)) for env in (ENV_NAME, SECOND_ENV)
    }


def first_entry(rotation: int) -> tuple[str, list[str]]:
    return f"{FIRST_BASE}-r{rotation}", [field_manager(FIRST)]


def second_entry(rotation: int) -> tuple[str, list[str]]:
    return f"{SECOND_BASE}-r{rotation}", [field_manager(SECOND)]


def test_a_second_stack_keeps_the_entry_of_an_upgraded_first_one(
    stacks: tuple[StackDriver, StackDriver], view: ClusterView, control_plane: ControlPlane
) -> None:
    """Given the first stack as the code before left it: a state without `fieldManager`, its
    entry owned by the legacy manager alone (handed over with the same value: no rollout)."""
    first, second = stacks
    first.up("up (first stack)")
    assert entries(view)[ENV_NAME] == first_entry(1)
    _forget_the_manager(first)
    secret, _ = first_entry(1)
    target = EnvTarget("openclaw", "openclaw", "openclaw", ENV_NAME)
    with control_plane.api_client() as api:
        apply(api, DEPLOYMENT_PATH, apply_body(target, [entry(ENV_NAME, secret, ENV_NAME)]), LEGACY)
        apply(api, DEPLOYMENT_PATH, apply_body(target, []), field_manager(FIRST))
    assert entries(view)[ENV_NAME] == (secret, [LEGACY])
    revision = view.revision()

    second.up("up (second stack, another env name)")

    assert entries(view) == {ENV_NAME: (secret, [LEGACY]), SECOND_ENV: second_entry(1)}
    then.rollouts_since(view, revision, 1)
    then.no_changes(first.preview("preview (first stack: the code before's state)"))


def test_the_first_stacks_rotation_moves_its_entry_to_its_own_manager_alone(
    stacks: tuple[StackDriver, StackDriver], view: ClusterView
) -> None:
    first, second = stacks
    revision = view.revision()
    first.set_config({f"{PROJECT}:token.rotation": "2"})

    first.up("up (first stack, rotation 1→2)")

    assert entries(view) == {ENV_NAME: first_entry(2), SECOND_ENV: second_entry(1)}
    then.rollouts_since(view, revision, 1)
    then.no_changes(second.preview("preview (second stack, after the first's rotation)"))


def test_each_destroy_takes_only_its_own_entry(
    stacks: tuple[StackDriver, StackDriver], view: ClusterView, world: World
) -> None:
    first, second = stacks

    second.destroy("destroy (second stack)")
    assert entries(view) == {ENV_NAME: first_entry(2), SECOND_ENV: (None, [])}

    first.destroy("destroy (first stack)")
    then.world_as_seeded(view, world.seeded)
    DESTROYED.update({FIRST, SECOND})


def _forget_the_manager(driver: StackDriver) -> None:
    """The env entry's state as the code before wrote it: no `fieldManager`, in or out.
    `pulumi stack export` and `import` as a user would run them (secrets stay encrypted)."""
    state = driver.project / "state.json"
    exported = driver.cli("stack", "export", "--file", str(state))
    assert exported.exit == 0, exported.output
    document = json.loads(state.read_text())
    (resource,) = [r for r in document["deployment"]["resources"] if r["type"] == ENV_ENTRY]
    for part in ("inputs", "outputs"):
        assert resource[part].pop("fieldManager") == field_manager(driver.stack.name)
    state.write_text(json.dumps(document))
    imported = driver.cli("stack", "import", "--file", str(state))
    state.unlink()
    assert imported.exit == 0, imported.output
