"""Faults during `pulumi up` and `destroy` on the real engine (issue 22): nothing half-applied,
the error says what failed, and one more run converges with no manual state surgery.

Each scenario injects one fault where it happens in a real cluster (`e2e.harness.faults`), asserts
the
error the user sees and the world and Pulumi state right after, removes the fault, and asserts
that one more `pulumi up` (or `destroy`) reaches the happy path's world; each ends with destroy,
so the next one starts from the world as seeded. The waits are shortened through the stack's
own config (`timeouts.*`), so no scenario sits out the production 300 s / 600 s.

The module runs its own stack ("faults") in the reference world, with the Application carrying
the ignoreDifferences stanza the refusal prints (so the section sticks and convergence can be
asserted on the live document). Every scenario is recorded in rendered/e2e/report.json under
`faults`.
"""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client
from pulumi import automation as auto

from e2e.harness import faults
from e2e.harness.cli_output import CliFailure, cli_failure
from e2e.harness.control_plane import ControlPlane, request
from e2e.harness.faults import State
from e2e.harness.observe import ClusterView, ssm_parameter
from e2e.harness.stack_driver import ROOT, Report, StackDriver, changes
from e2e.harness.world import APPLICATION, CONFIGMAP, DEPLOYMENT, NAMESPACE, STORE, World
from e2e.harness.world import snapshot as world_snapshot
from stages.env_entry.pod_spec import entry
from stages.section.document import add_section
from stages.token.identity import GUARD_TYPE

pytestmark = pytest.mark.e2e

PROJECT = "openclaw-cron-webhook"
PARAMETER = "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
ENV_NAME = "OPENCLAW_CRON_WEBHOOK_TOKEN"
CONTAINER = "openclaw"
EXTERNAL_SECRET = "openclaw-cron-webhook-r1"
ES_PATH = f"/apis/external-secrets.io/v1/namespaces/{NAMESPACE}/externalsecrets/{EXTERNAL_SECRET}"
# Resource types and names as the state holds them.
PARAMETER_TYPE = "aws:ssm/parameter:Parameter"
ES_TYPE = "kubernetes:external-secrets.io/v1:ExternalSecret"
ENV_TYPE = "pulumi-python:dynamic/openclaw:EnvEntry"
SECTION_TYPE = "pulumi-python:dynamic/openclaw:JsonSection"
ES_RESOURCE = "cron-webhook"
ENV_RESOURCE = "openclaw-cron-webhook-env"
ENV_ID = f"{NAMESPACE}/openclaw/openclaw#env/{ENV_NAME}"
# Short waits through the stack's own config: long enough for ESO and kwok on a loaded
# 2-core machine, short enough that a scenario sitting one out costs seconds.
ES_SECONDS = 20
ROLLOUT_SECONDS = 30
OUTAGE_SECONDS = 5.0
OUTPUTS = ROOT / "rendered" / "e2e" / "faults"


@pytest.fixture(scope="module")
def api(control_plane: ControlPlane) -> Iterator[client.ApiClient]:
    with control_plane.api_client() as api_client:
        yield api_client


@pytest.fixture(scope="module")
def view(api: client.ApiClient) -> ClusterView:
    return ClusterView(api)


@pytest.fixture(scope="module")
def ssm(control_plane: ControlPlane) -> Any:
    return control_plane.ssm_client()


@pytest.fixture(scope="module")
def pulumi_binary(go_bin_dir: Path) -> Path:
    return go_bin_dir / "pulumi"


@pytest.fixture(scope="module", autouse=True)
def document_left_to_the_stack(world: World, api: client.ApiClient) -> Iterator[None]:
    """The refusal's printed stanza on the Application for this module (the section sticks);
    the reference Application again afterwards, Synced and Healthy."""
    faults.put_application(world, api, stanza=True, automated=True)
    yield
    faults.put_application(world, api, stanza=False, automated=True)
    world.argocd.wait_synced(api, APPLICATION)


@pytest.fixture(scope="module")
def stack(
    control_plane: ControlPlane, go_bin_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StackDriver]:
    work = tmp_path_factory.mktemp("pulumi-faults")
    driver = StackDriver.create(
        work,
        go_bin_dir,
        "faults",
        {
            "KUBECONFIG": str(control_plane.kubeconfig),
            "AWS_ENDPOINT_URL": control_plane.moto_endpoint,
            **control_plane.admin.aws_env(),
            "AWS_REGION": control_plane.region,
        },
    )
    driver.set_config(
        {
            "aws:region": control_plane.region,
            # Named in the stack, not only in KUBECONFIG: the inline program (this process)
            # reads the cluster too, in the ExternalSecret's error hook.
            "kubernetes:kubeconfig": str(control_plane.kubeconfig),
            f"{PROJECT}:section.writeTrackedConfigMap": True,
            f"{PROJECT}:timeouts.externalSecretSeconds": ES_SECONDS,
            f"{PROJECT}:timeouts.rolloutSeconds": ROLLOUT_SECONDS,
        }
    )
    yield driver
    driver.remove()


@pytest.fixture(autouse=True)
def back_to_seeded(stack: StackDriver, api: client.ApiClient, ssm: Any) -> Iterator[None]:
    """Whatever a scenario left behind when it failed: no pending operation, nothing in the
    stack, nothing of the stack's outside it (each scenario's own last step is a destroy that
    asserts the seeded world, so this finds nothing after a scenario that passed)."""
    yield
    try:
        if State.of(stack.stack).pending:
            stack.refresh("cleanup: refresh --clear-pending-creates", clear_pending_creates=True)
        if State.of(stack.stack).resources:
            stack.destroy("cleanup: destroy")
    except auto.CommandError as error:
        print(f"cleanup after the scenario failed: {cli_failure(error).first_error}")
    left = faults.remove_leftovers(api, ssm, PARAMETER)
    if left:
        print(f"cleanup: removed what the scenario left outside the state: {left}")


class FaultRecord(dict[str, Any]):
    """The scenario's entry in report.json's `faults`, filled in as it goes (a failed scenario
    leaves what it got to); `seconds` is the whole scenario, fault to seeded world."""

    def __init__(self, fault: str) -> None:
        super().__init__(
            fault=fault,
            exit=None,
            first_error=None,
            world_as_expected=None,
            rerun_converged=None,
            seconds=None,
        )
        self.began = time.monotonic()

    def finish(self) -> None:
        self["seconds"] = round(time.monotonic() - self.began, 1)


def record(report: Report, fault: str) -> FaultRecord:
    entry_ = FaultRecord(fault)
    report.faults.append(entry_)
    return entry_


def failed(fault: FaultRecord, error: auto.CommandError) -> CliFailure:
    """Record what the user saw; the whole output goes beside report.json for a reader."""
    failure = cli_failure(error)
    fault["exit"] = failure.exit
    fault["first_error"] = failure.first_error
    OUTPUTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^a-z0-9]+", "-", fault["fault"].lower()).strip("-")[:60]
    (OUTPUTS / f"{name}.txt").write_text(failure.text)
    print(f"  {fault['fault']}: exit {failure.exit}: {failure.first_error}", flush=True)
    return failure


# --- what "as seeded" and "converged" mean, read from the cluster, moto and the state --------


def seeded_env(seeded: dict[str, Any]) -> list[dict[str, Any]]:
    for container in seeded["deployment_template"]["spec"]["containers"]:
        if container["name"] == CONTAINER:
            return list(container.get("env") or [])
    raise LookupError(CONTAINER)


def entries_named(view: ClusterView, name: str) -> list[dict[str, Any]]:
    return [item for item in view.container_env(CONTAINER) if item.get("name") == name]


def seeded_problems(
    view: ClusterView, ssm: Any, seeded: dict[str, Any], stack: StackDriver
) -> list[str]:
    """What differs from the world as seeded (empty: nothing)."""
    problems = []
    now = world_snapshot(view.api_client)
    problems += [
        f"{key} differs from the seeded world" for key in seeded if now[key] != seeded[key]
    ]
    if faults.our_external_secrets(view.api_client):
        problems.append(f"ExternalSecrets left: {faults.our_external_secrets(view.api_client)}")
    if ssm_parameter(ssm, PARAMETER) is not None:
        problems.append(f"SSM parameter {PARAMETER} left")
    if not view.rolled_out():
        problems.append("Deployment not rolled out")
    state = State.of(stack.stack)
    if state.resources or state.pending:
        problems.append(f"state not empty: {sorted(state.resources)} pending {state.pending}")
    return problems


def converged_problems(
    stack: StackDriver,
    view: ClusterView,
    ssm: Any,
    seeded: dict[str, Any],
    *,
    document: str | None = None,
    preview: bool = True,
) -> list[str]:
    """What differs from the happy path's world after `up` (empty: converged): the token in
    SSM, in the Secret and in the state agree; exactly one ExternalSecret of ours, synced; the
    env entry once, after the seeded ones, rolled out; the section in ``document`` (default
    the seeded one); the app's own objects as seeded; no pending operation; a preview with no
    change."""
    problems = []
    outputs = stack.outputs()
    token, secret, section = (
        outputs.get("webhookToken"),
        outputs.get("secretName"),
        outputs.get("cronSection"),
    )
    parameter = ssm_parameter(ssm, PARAMETER)
    if parameter is None or parameter["Value"] != token:
        problems.append("the SSM parameter does not hold the stack's token")
    if faults.our_external_secrets(view.api_client) != [outputs.get("externalSecretName")]:
        problems.append(f"ExternalSecrets: {faults.our_external_secrets(view.api_client)}")
    if not view.external_secret_ready(str(outputs.get("externalSecretName"))):
        problems.append("the ExternalSecret is not Ready/SecretSynced")
    if view.secret_data(str(secret)) != {ENV_NAME: token}:
        problems.append(f"Secret {secret} does not hold the token in SSM")
    expected_env = [*seeded_env(seeded), entry(ENV_NAME, str(secret), ENV_NAME)]
    if view.container_env(CONTAINER) != expected_env:
        problems.append(f"env of {CONTAINER}: {view.container_env(CONTAINER)}")
    if not view.rolled_out():
        problems.append("Deployment not rolled out")
    base = document if document is not None else seeded["configmap_data"]["openclaw.json"]
    if view.document() != add_section(base, "cron", section, context="expected"):
        problems.append("the document is not the base document plus the section")
    now = world_snapshot(view.api_client)
    for key in ("external_secret_spec", "secret_data"):
        if now[key] != seeded[key]:
            problems.append(f"{key} of the app's own ExternalSecret changed")
    state = State.of(stack.stack)
    if state.pending:
        problems.append(f"pending operations: {state.pending}")
    if any(item.get("initErrors") for item in state.resources.values()):
        problems.append("a resource in state still has init errors")
    if preview:
        operation = stack.preview("preview (converged?)")
        if changes(operation):
            problems.append(f"preview shows changes: {operation.summary}")
    return problems


# --- 1. the store cannot read the parameter ----------------------------------------------------


def test_store_broken_fails_at_the_external_secret_wait_and_a_rerun_converges(
    stack: StackDriver,
    view: ClusterView,
    ssm: Any,
    world: World,
    e2e_report: Report,
) -> None:
    fault = record(
        e2e_report,
        f"store broken: ClusterSecretStore {STORE}'s credentials Secret lost "
        f"{faults.STORE_SECRET_KEY}",
    )
    api, seeded = view.api_client, world.seeded
    revision, pods = view.revision(), faults.pod_uids(api)
    with faults.store_credentials_broken(api):
        with pytest.raises(auto.CommandError) as raised:
            stack.up("up (store broken)")
        failure = failed(fault, raised.value)
        ready = faults.ready_condition(api, ES_PATH)
        state = State.of(stack.stack)
        world_now = world_snapshot(api)
        right_after = {
            "ExternalSecret created, not Ready": ready.get("status") == "False",
            "no env entry": view.container_env(CONTAINER) == seeded_env(seeded),
            "no pod restarted": view.revision() == revision and faults.pod_uids(api) == pods,
            "no section": world_now["configmap_data"] == seeded["configmap_data"],
            "state: parameter and ExternalSecret, nothing after": (
                state.types
                == {GUARD_TYPE, "random:index/randomBytes:RandomBytes", PARAMETER_TYPE, ES_TYPE}
            ),
            "no pending operation": state.pending == [],
        }
        fault["world_as_expected"] = all(right_after.values())
    assert right_after == dict.fromkeys(right_after, True)
    assert failure.exit not in (0, None)
    # What the user needs to act: which ExternalSecret, what ESO says, which store.
    assert f"{NAMESPACE}/{EXTERNAL_SECRET}" in failure.text
    assert ready["message"] in failure.text
    assert f"ClusterSecretStore {STORE}" in failure.text

    stack.up("up (store fixed)")
    problems = converged_problems(stack, view, ssm, seeded)
    fault["rerun_converged"] = not problems
    assert problems == []

    stack.destroy("destroy (after the store fault)")
    assert seeded_problems(view, ssm, seeded, stack) == []
    fault.finish()


# --- 2. a rollout that never completes ---------------------------------------------------------


def test_a_rollout_that_never_completes_fails_at_the_rollout_wait_and_destroy_restores(
    stack: StackDriver,
    view: ClusterView,
    ssm: Any,
    world: World,
    e2e_report: Report,
) -> None:
    fault = record(e2e_report, "rollout never completes: the only node tainted NoSchedule")
    api, seeded = view.api_client, world.seeded
    with faults.rollout_held(api):
        with pytest.raises(auto.CommandError) as raised:
            stack.up("up (rollout held)")
        failure = failed(fault, raised.value)
        state = State.of(stack.stack)
        right_after = {
            "no section": view.document() == seeded["configmap_data"]["openclaw.json"],
            "env entry taken back": view.container_env(CONTAINER) == seeded_env(seeded),
            "state: no env entry, no section": not {ENV_TYPE, SECTION_TYPE} & state.types,
            "ExternalSecret synced": view.external_secret_ready(EXTERNAL_SECRET),
            "no pending operation": state.pending == [],
        }
        fault["world_as_expected"] = all(right_after.values())
    assert right_after == dict.fromkeys(right_after, True)
    assert f"gave up after {ROLLOUT_SECONDS} s: Deployment {NAMESPACE}/{DEPLOYMENT}" in failure.text
    assert "updated replicas available" in failure.text

    stack.destroy("destroy (after the held rollout)")
    faults.wait_until("the seeded template rolled out", view.rolled_out, 120, poll=0.5)
    problems = seeded_problems(view, ssm, seeded, stack)
    fault["rerun_converged"] = not problems
    assert problems == []
    fault.finish()


# --- 3. the API server goes away in the env stage ----------------------------------------------


def test_api_server_restarted_in_the_env_stage_then_up_converges(
    stack: StackDriver,
    view: ClusterView,
    ssm: Any,
    world: World,
    control_plane: ControlPlane,
    e2e_report: Report,
) -> None:
    """The rollout is held (tainted node) so the outage lands inside the env stage's wait,
    deterministically: stop kube-apiserver by pid once the entry is applied, start it again
    on the same port after a few seconds, then let the rollout finish."""
    fault = record(e2e_report, "kube-apiserver stopped by pid during the env stage's rollout")
    api, seeded = view.api_client, world.seeded
    with (
        faults.rollout_held(api) as release,
        faults.in_background(lambda: stack.up("up (API server restarted)")) as run,
    ):
        faults.wait_until("the env entry applied", lambda: bool(entries_named(view, ENV_NAME)), 180)
        stopping = time.monotonic()
        with faults.process_stopped(control_plane, "kube-apiserver") as restart:
            stopped = time.monotonic()
            time.sleep(OUTAGE_SECONDS)
            restart()
        back = time.monotonic()
        release()
        _, error, seconds = run.outcome(timeout=ROLLOUT_SECONDS + 120)
    # kube-apiserver drains its watches on SIGTERM, past faults.OUTAGE_STOP_GRACE (then SIGKILL).
    fault["fault"] = (
        f"kube-apiserver stopped by pid ({stopped - stopping:.0f} s to stop) and started again "
        f"on the same port: unreachable for {back - stopping:.0f} s of the env stage's rollout"
    )
    print(f"  up with an API server outage ended after {seconds:.0f} s: {error is None=}")
    if error is not None:
        failure = failed(fault, error)
        assert control_plane.server.removeprefix("https://") in failure.text
    else:
        fault["exit"], fault["first_error"] = 0, ""
    right_after = {
        "one env entry": len(entries_named(view, ENV_NAME)) == 1,
        "one ExternalSecret": faults.our_external_secrets(api) == [EXTERNAL_SECRET],
        "no pending operation": State.of(stack.stack).pending == [],
    }
    fault["world_as_expected"] = all(right_after.values())
    assert right_after == dict.fromkeys(right_after, True)

    stack.up("up (after the API server came back)")
    problems = converged_problems(stack, view, ssm, seeded)
    fault["rerun_converged"] = not problems
    assert problems == []

    stack.destroy("destroy (after the API server fault)")
    assert seeded_problems(view, ssm, seeded, stack) == []
    fault.finish()


# --- 4. Ctrl-C ---------------------------------------------------------------------------------


def interrupted_up(
    stack: StackDriver,
    pulumi: Path,
    name: str,
    stage_reached: Any,
    gap: float,
    require_both: bool = True,
) -> tuple[auto.CommandError | None, list[int]]:
    """`up` in the background; once ``stage_reached()``, Ctrl-C twice to the CLI, ``gap``
    seconds apart. Returns the CLI's failure and the plugin processes that outlived it
    (stopped by pid)."""
    assert not stage_reached(), "the stage is reached before up started: a leftover"
    with faults.in_background(lambda: stack.up(name)) as run:
        faults.wait_until(f"{name}: the stage to interrupt", stage_reached, 180)
        cli = faults.wait_for_cli(pulumi)
        plugins = faults.descendants(cli)
        delivered = faults.ctrl_c(cli, 2, gap)
        _, error, _ = run.outcome(timeout=ROLLOUT_SECONDS + 120)
    assert delivered == 2 or not require_both, "the CLI ended after the first Ctrl-C"
    return error, faults.reap_orphans(plugins)


def test_ctrl_c_in_the_external_secret_wait_ends_it_at_once_and_the_next_up_waits_again(
    stack: StackDriver,
    view: ClusterView,
    ssm: Any,
    world: World,
    pulumi_binary: Path,
    e2e_report: Report,
) -> None:
    """Even a double Ctrl-C, two seconds apart, leaves no pending operation here: the first
    makes the Kubernetes provider cancel its await at once, and the ExternalSecret is recorded
    with an init error, which makes the next `up` apply it and wait for its sync again. (Sooner,
    the second press can end the CLI before the engine has recorded the provider's answer: a
    pending create, the case test_ctrl_c_twice_in_the_rollout_wait_leaves_a_pending_create_that_
    refresh_clears covers. Measured on two busy cores: 50 ms apart it did with two e2e workers,
    0.5 s apart it did twice: with three workers, and beside a mutation run.)"""
    fault = record(e2e_report, "Ctrl-C twice (2 s apart) during the ExternalSecret wait")
    api, seeded = view.api_client, world.seeded
    with faults.store_credentials_broken(api):
        error, orphans = interrupted_up(
            stack,
            pulumi_binary,
            "up (Ctrl-C x2 in the ExternalSecret wait)",
            lambda: faults.our_external_secrets(api) == [EXTERNAL_SECRET],
            gap=2.0,
            require_both=False,
        )
        assert error is not None
        failure = failed(fault, error)
        state = State.of(stack.stack)
        right_after = {
            "no pending operation": state.pending == [],
            "the ExternalSecret recorded with an init error": bool(state.init_errors(ES_TYPE)),
            "no env entry": view.container_env(CONTAINER) == seeded_env(seeded),
            "no section": view.document() == seeded["configmap_data"]["openclaw.json"],
        }
        fault["world_as_expected"] = all(right_after.values())
    print(f"  plugins that outlived the CLI: {orphans}")
    assert right_after == dict.fromkeys(right_after, True)
    assert failure.first_error.startswith(
        f"error: ExternalSecret {NAMESPACE}/{EXTERNAL_SECRET} was not synced when its wait was "
        "interrupted: Ready=False"
    )

    stack.up("up (after Ctrl-C in the ExternalSecret wait, store fixed)")
    problems = converged_problems(stack, view, ssm, seeded)
    fault["rerun_converged"] = not problems
    assert problems == []

    stack.destroy("destroy (after Ctrl-C in the ExternalSecret wait)")
    assert seeded_problems(view, ssm, seeded, stack) == []
    fault.finish()


def test_ctrl_c_once_in_the_rollout_wait_finishes_the_step_then_up_converges(
    stack: StackDriver,
    view: ClusterView,
    ssm: Any,
    world: World,
    pulumi_binary: Path,
    e2e_report: Report,
) -> None:
    """One Ctrl-C cancels gracefully: the engine starts nothing new but lets the running step
    (the env entry's rollout wait) end; here the rollout completes meanwhile."""
    fault = record(e2e_report, "Ctrl-C once (cancel) during the rollout wait")
    api, seeded = view.api_client, world.seeded
    with (
        faults.rollout_held(api) as release,
        faults.in_background(lambda: stack.up("up (Ctrl-C x1 in the rollout wait)")) as run,
    ):
        faults.wait_until("the env entry applied", lambda: bool(entries_named(view, ENV_NAME)), 180)
        cli = faults.wait_for_cli(pulumi_binary)
        faults.ctrl_c(cli, 1)
        time.sleep(3.0)
        still_waiting = not run.done()
        release()
        _, error, _ = run.outcome(timeout=ROLLOUT_SECONDS + 120)
    assert error is not None
    failed(fault, error)
    state = State.of(stack.stack)
    right_after = {
        "the running step was let finish": still_waiting,
        "env entry created, in state": ENV_TYPE in state.types,
        "no section": SECTION_TYPE not in state.types
        and view.document() == seeded["configmap_data"]["openclaw.json"],
        "no pending operation": state.pending == [],
    }
    fault["world_as_expected"] = all(right_after.values())
    assert right_after == dict.fromkeys(right_after, True)

    stack.up("up (after Ctrl-C x1 in the rollout wait)")
    problems = converged_problems(stack, view, ssm, seeded)
    fault["rerun_converged"] = not problems
    assert problems == []

    stack.destroy("destroy (after Ctrl-C x1 in the rollout wait)")
    assert seeded_problems(view, ssm, seeded, stack) == []
    fault.finish()


def test_ctrl_c_twice_in_the_rollout_wait_leaves_a_pending_create_that_refresh_clears(
    stack: StackDriver,
    view: ClusterView,
    ssm: Any,
    world: World,
    pulumi_binary: Path,
    e2e_report: Report,
) -> None:
    fault = record(e2e_report, "Ctrl-C twice (terminate) during the rollout wait")
    api, seeded = view.api_client, world.seeded
    with faults.rollout_held(api):
        error, orphans = interrupted_up(
            stack,
            pulumi_binary,
            "up (Ctrl-C x2 in the rollout wait)",
            lambda: bool(entries_named(view, ENV_NAME)),
            gap=1.0,
        )
    assert error is not None
    failed(fault, error)
    state = State.of(stack.stack)
    right_after = {
        "the env entry's create pending": state.pending == [("creating", ENV_RESOURCE)],
        "ExternalSecret synced, in state": ES_TYPE in state.types
        and view.external_secret_ready(EXTERNAL_SECRET),
        "no section": view.document() == seeded["configmap_data"]["openclaw.json"],
    }
    fault["world_as_expected"] = all(right_after.values())
    print(f"  plugins that outlived the CLI: {orphans}")
    assert right_after == dict.fromkeys(right_after, True)

    # The flag meant to import it (one value per use: URN, then ID, its help's "[[URN ID]...]"
    # notwithstanding) drops the pending create without importing anything in v3.274.1: the
    # entry is then in the cluster only, and the next `up` applies it again.
    (urn,) = faults.pending_urns(stack)
    imported = faults.pulumi_cli(
        stack,
        "refresh",
        "--yes",
        "--import-pending-creates",
        urn,
        "--import-pending-creates",
        ENV_ID,
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr
    state = State.of(stack.stack)
    assert (state.pending, ENV_TYPE in state.types) == ([], False)
    revision = view.revision()
    stack.up("up (after Ctrl-C x2 in the rollout wait)")
    problems = converged_problems(stack, view, ssm, seeded)
    if view.revision() != revision:
        problems.append("the entry applied again made a second rollout")
    fault["rerun_converged"] = not problems
    assert problems == []

    stack.destroy("destroy (after Ctrl-C x2 in the rollout wait)")
    assert seeded_problems(view, ssm, seeded, stack) == []
    fault.finish()


def test_the_cli_killed_in_the_rollout_wait_leaves_a_lock_pulumi_cancel_removes(
    stack: StackDriver,
    view: ClusterView,
    ssm: Any,
    world: World,
    pulumi_binary: Path,
    e2e_report: Report,
) -> None:
    """SIGKILL (an OOM kill, a cancelled CI job): the CLI cannot clean up, so the stack's lock
    stays (file backend too), the step stays a pending CREATE, and its plugins outlive it."""
    fault = record(e2e_report, "the CLI killed (SIGKILL) during the rollout wait")
    api, seeded = view.api_client, world.seeded
    assert entries_named(view, ENV_NAME) == [], "an env entry before up: a leftover"
    with (
        faults.rollout_held(api),
        faults.in_background(lambda: stack.up("up (SIGKILL in the rollout wait)")) as run,
    ):
        faults.wait_until("the env entry applied", lambda: bool(entries_named(view, ENV_NAME)), 180)
        cli = faults.wait_for_cli(pulumi_binary)
        plugins = faults.descendants(cli)
        cli.send(signal.SIGKILL)
        _, error, _ = run.outcome(timeout=60)
        outlived = [process.pid for process in plugins if process.alive()]
        faults.reap_orphans(plugins)
    assert error is not None
    failed(fault, error)
    with pytest.raises(auto.CommandError) as locked:
        stack.up("up (the stack still locked)")
    # The killed run printed nothing more; what the user sees is the next run's refusal.
    fault["first_error"] = cli_failure(locked.value).first_error
    state = State.of(stack.stack)
    right_after = {
        "plugins outlived the CLI": bool(outlived),
        "the stack is locked": "the stack is currently locked by 1 lock(s)" in str(locked.value),
        "the env entry's create pending": state.pending == [("creating", ENV_RESOURCE)],
        "no section": view.document() == seeded["configmap_data"]["openclaw.json"],
    }
    fault["world_as_expected"] = all(right_after.values())
    assert right_after == dict.fromkeys(right_after, True)
    assert "pulumi cancel" in str(locked.value)

    stack.stack.cancel()  # `pulumi cancel`: with a file backend it deletes the lock file
    stack.refresh("refresh --clear-pending-creates", clear_pending_creates=True)
    stack.up("up (after SIGKILL)")
    problems = converged_problems(stack, view, ssm, seeded)
    fault["rerun_converged"] = not problems
    assert problems == []

    stack.destroy("destroy (after SIGKILL)")
    assert seeded_problems(view, ssm, seeded, stack) == []
    fault.finish()


# --- 5. a second writer of the ConfigMap --------------------------------------------------------


def test_a_concurrent_write_between_read_and_write_is_kept_and_the_section_added(
    stack: StackDriver,
    view: ClusterView,
    ssm: Any,
    world: World,
    control_plane: ControlPlane,
    e2e_report: Report,
) -> None:
    fault = record(
        e2e_report,
        "a concurrent write of the ConfigMap's document between the section's read and write",
    )
    api, seeded = view.api_client, world.seeded
    with faults.concurrent_writer(control_plane, PROJECT) as writer:
        stack.up("up (a concurrent write of the ConfigMap)")
    fault["exit"], fault["first_error"] = 0, ""
    edited = seeded["configmap_data"]["openclaw.json"].replace(
        faults.SAFE_BINS, faults.SAFE_BINS_EDITED, 1
    )
    right_after = {
        "the other writer wrote once, in between": (writer.edits, writer.errors) == (1, []),
        "the stack's write conflicted and was redone": writer.stack_writes == 2,
    }
    fault["world_as_expected"] = all(right_after.values())
    problems = converged_problems(stack, view, ssm, seeded, document=edited)
    fault["rerun_converged"] = not problems
    assert right_after == dict.fromkeys(right_after, True)
    assert problems == []

    faults.undo_concurrent_edit(api)
    stack.destroy("destroy (after the concurrent write)")
    assert seeded_problems(view, ssm, seeded, stack) == []
    fault.finish()


# --- 6. AWS unreachable --------------------------------------------------------------------------


def test_aws_unreachable_fails_preview_and_up_fast_and_changes_nothing_in_the_cluster(
    stack: StackDriver,
    view: ClusterView,
    ssm: Any,
    world: World,
    control_plane: ControlPlane,
    e2e_report: Report,
) -> None:
    """moto stopped by pid. moto keeps everything in memory, so its restart loses every
    parameter: the seeded ones are put back (the stack had created none yet)."""
    fault = record(e2e_report, "AWS unreachable: moto stopped")
    api, seeded = view.api_client, world.seeded
    endpoint = control_plane.moto_endpoint
    with faults.process_stopped(control_plane, "moto") as restart:
        began = time.monotonic()
        with pytest.raises(auto.CommandError) as raised_preview:
            stack.preview("preview (AWS unreachable)")
        preview_seconds = time.monotonic() - began
        began = time.monotonic()
        with pytest.raises(auto.CommandError) as raised_up:
            stack.up("up (AWS unreachable)")
        up_seconds = time.monotonic() - began
        failure = failed(fault, raised_up.value)
        preview_failure = cli_failure(raised_preview.value)
        state = State.of(stack.stack)
        right_after = {
            "cluster as seeded": world_snapshot(api) == seeded,
            "no ExternalSecret": faults.our_external_secrets(api) == [],
            "state: no parameter, nothing after": not {
                PARAMETER_TYPE,
                ES_TYPE,
                ENV_TYPE,
                SECTION_TYPE,
            }
            & state.types,
        }
        fault["world_as_expected"] = all(right_after.values())
        restart()
        faults.reseed_parameters(control_plane, world)
    print(f"  preview failed in {preview_seconds:.1f} s: {preview_failure.first_error}")
    print(f"  up failed in {up_seconds:.1f} s")
    assert right_after == dict.fromkeys(right_after, True)
    assert endpoint in preview_failure.text
    assert endpoint in failure.text
    assert preview_seconds < 60
    assert up_seconds < 60

    stack.up("up (AWS back)")
    problems = converged_problems(stack, view, ssm, seeded)
    fault["rerun_converged"] = not problems
    assert problems == []

    stack.destroy("destroy (after the AWS outage)")
    assert seeded_problems(view, ssm, seeded, stack) == []
    fault.finish()


# --- 7. destroy after the app's objects were deleted out of band ----------------------------------


def test_destroy_with_the_deployment_and_configmap_deleted_out_of_band_completes(
    stack: StackDriver,
    view: ClusterView,
    ssm: Any,
    world: World,
    e2e_report: Report,
) -> None:
    """Under self-heal Argo CD re-creates a deleted object from Git within seconds, so the
    scenario suspends automated sync (as an operator removing the app would), deletes both
    objects, destroys, then restores the sync policy: Argo CD re-creates them as seeded."""
    fault = record(
        e2e_report, "destroy with Deployment and ConfigMap deleted out of band (auto-sync off)"
    )
    api, seeded = view.api_client, world.seeded
    stack.up("up (before the out-of-band deletes)")
    output: list[str] = []
    faults.put_application(world, api, stanza=True, automated=False)
    try:
        for path in (
            f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/{DEPLOYMENT}",
            f"/api/v1/namespaces/{NAMESPACE}/configmaps/{CONFIGMAP}",
        ):
            request(api, "DELETE", path)
            faults.wait_until(f"{path} gone", partial(_gone, api, path), 60)
        stack.destroy("destroy (Deployment and ConfigMap gone)", on_output=output.append)
        fault["exit"], fault["first_error"] = 0, ""
        state = State.of(stack.stack)
        right_after = {
            "state empty": not state.resources and not state.pending,
            "no ExternalSecret": faults.our_external_secrets(api) == [],
            "no parameter": ssm_parameter(ssm, PARAMETER) is None,
        }
        fault["world_as_expected"] = all(right_after.values())
    finally:
        faults.put_application(world, api, stanza=True, automated=True)
    text = "\n".join(output)
    print("\n".join(line for line in output if "gone" in line or "not found" in line))
    assert right_after == dict.fromkeys(right_after, True)
    assert f"Deployment {NAMESPACE}/{DEPLOYMENT} is already gone" in text
    assert f"ConfigMap {NAMESPACE}/{CONFIGMAP} key openclaw.json is already gone" in text

    world.argocd.wait_synced(api, APPLICATION, timeout=180)
    faults.wait_until("the re-created Deployment rolled out", view.rolled_out, 120, poll=0.5)
    problems = seeded_problems(view, ssm, seeded, stack)
    fault["rerun_converged"] = not problems
    assert problems == []
    fault.finish()


def _gone(api: client.ApiClient, path: str) -> bool:
    try:
        request(api, "GET", path)
    except client.exceptions.ApiException as error:
        return error.status == 404
    return False
