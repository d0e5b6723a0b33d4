"""`./bin/verify` against the control plane (issue 21): all ✔ after up and after a rotation;
then one fault per hop, injected where it happens in a real cluster, each reported on its hop
with its fix, then repaired (by the printed fix where it can be run here) and verified ✔ again;
no access to AWS is exit 2; after destroy, Phase 2 is absent (exit 1).

verify runs as the user runs it: `python -m tools.verify --stack … --project-dir …` in a child
process with the stack's environment (the Pulumi CLI and backend, KUBECONFIG, moto as AWS),
reading the stack through Pulumi and the systems through their APIs. A `kubectl` fix is run
literally by a shell with the built kubectl; a `pulumi up --refresh` fix goes through the
Automation API (`refresh=True`), as the language host cannot be started by the CLI here.

Each test is one step and depends on the ones before it (one stack, "e2e-verify"). The
Application carries the ignoreDifferences stanza the refusal prints, so the section sticks
(except in the scenario where taking it off is the fault). Every run's stdout and stderr are
searched for each token the stack had and for the value injected into SSM, raw and base64.
Each scenario is one entry of `verify` in rendered/e2e/report.json.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client

from e2e.harness import faults
from e2e.harness import verdicts as then
from e2e.harness.control_plane import ControlPlane, free_ports, request
from e2e.harness.grants import run_by_roles
from e2e.harness.observe import ClusterView, ssm_parameter, wait_for
from e2e.harness.pr_preview import drift_argv
from e2e.harness.secrets_scan import RECORDER
from e2e.harness.stack_driver import ROOT, Report, StackDriver, changes
from e2e.harness.world import (
    APPLICATION,
    CONFIGMAP,
    DEPLOYMENT,
    DOCUMENT_KEY,
    NAMESPACE,
    World,
    put_application,
)
from e2e.harness.world import snapshot as world_snapshot
from stages.env_entry.pod_spec import pods_referencing
from stages.section.document import read_section, set_section
from stages.section.tracking import ignore_differences_stanza

pytestmark = pytest.mark.e2e

STACK = "e2e-verify"
PROJECT = "openclaw-cron-webhook"
PARAMETER = "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
ENV_NAME = "OPENCLAW_CRON_WEBHOOK_TOKEN"
CONTAINER = "openclaw"
BASE = "openclaw-cron-webhook"  # the ExternalSecret's and Secret's name before -r<rotation>
HOPS = ["stack", "ssm", "externalSecret", "secret", "env", "config", "gitops"]
UP_REFRESH = f"pulumi up --refresh --stack {STACK}"
# The field manager `kubectl edit` writes with: the hand edits below are a person's.
HAND = "kubectl-edit"
DEPLOYMENT_PATH = f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/{DEPLOYMENT}"
# The drifted resources as drift.yml's preview shows them (type as the CLI displays it, name).
PARAMETER_DISPLAYED = ("aws:ssm:Parameter", "cron-webhook-token")
ENV_DISPLAYED = ("pulumi-python:dynamic/openclaw:EnvEntry", "openclaw-cron-webhook-env")
VERIFY_TIMEOUT = 300.0  # seconds; a run takes seconds when things work


@dataclass(frozen=True)
class Run:
    """One verify run: what the user sees, and how long they waited for it."""

    exit: int
    seconds: float
    stdout: str
    stderr: str

    @property
    def document(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.stdout)
        return loaded

    def hop(self, name: str) -> dict[str, Any]:
        found: dict[str, Any] = next(h for h in self.document["hops"] if h["name"] == name)
        return found

    @property
    def first_not_holding(self) -> str | None:
        return next((h["name"] for h in self.document["hops"] if h["status"] != "ok"), None)


@dataclass
class Verify:
    """verify as the user runs it, on this module's stack; every output is kept and searched
    for every secret value the stack or a scenario had."""

    driver: StackDriver
    report: Report
    secret_values: set[str] = field(default_factory=set)
    runs: list[Run] = field(default_factory=list)

    def __call__(self, *, text: bool = False, env: dict[str, str] | None = None) -> Run:
        command = [
            sys.executable,
            "-m",
            "tools.verify",
            "--stack",
            STACK,
            "--project-dir",
            str(self.driver.project),
            *([] if text else ["--json"]),
        ]
        started = time.monotonic()
        done = subprocess.run(
            command,
            cwd=ROOT,
            env={**os.environ, **self.driver.env_of("verify"), **(env or {})},
            capture_output=True,
            text=True,
            timeout=VERIFY_TIMEOUT,
            check=False,
        )
        run = Run(done.returncode, time.monotonic() - started, done.stdout, done.stderr)
        RECORDER.add(f"verify {STACK}: stdout and stderr", done.stdout + done.stderr)
        self.runs.append(run)
        print(f"  verify: exit {run.exit} in {run.seconds:.1f} s", flush=True)
        assert self.leaks(run) == [], "verify printed a secret value"
        return run

    def keep_secret(self, value: str) -> None:
        self.secret_values.add(value)

    def leaks(self, run: Run) -> list[str]:
        """Which forms of which secret value the run printed (none may be printed)."""
        found = []
        for value in sorted(self.secret_values):
            forms = {"raw": value, "base64": base64.b64encode(value.encode()).decode()}
            found += [
                f"{kind} form of a secret value ({len(value)} characters) in {stream}"
                for kind, form in forms.items()
                for stream, output in (("stdout", run.stdout), ("stderr", run.stderr))
                if form in output
            ]
        return found

    def record(
        self, fault: str | None, run: Run, seconds: float | None = None, **more: Any
    ) -> None:
        hop = run.first_not_holding if run.stdout.startswith("{") else None
        entry = {
            "fault": fault,
            "hop": hop,
            "exit": run.exit,
            "seconds": round(run.seconds if seconds is None else seconds, 2),
            **more,
        }
        self.report.verify.append(entry)


def holds(run: Run) -> None:
    """Exit 0, status ok, every hop in order and holding."""
    document = run.document
    assert (run.exit, document["status"], document["exit"]) == (0, "ok", 0), run.stdout
    assert [h["name"] for h in document["hops"]] == HOPS
    assert [h["status"] for h in document["hops"]] == ["ok"] * len(HOPS), run.stdout
    assert (document["failed"], document["unchecked"]) == ([], [])
    assert document["headline"] == f"all {len(HOPS)} hops hold"
    assert run.stderr == ""


def fails_on(run: Run, failed: list[str], fix: str) -> dict[str, Any]:
    """Exit 1 with exactly these hops failed, the first with this fix; returns that hop."""
    document = run.document
    assert (run.exit, document["status"]) == (1, "fail"), run.stdout
    assert document["failed"] == failed, run.stdout
    assert document["unchecked"] == [], run.stdout
    hop = run.hop(failed[0])
    assert run.first_not_holding == failed[0]
    assert hop["fix"] == fix, hop
    return hop


# --- fixtures ---------------------------------------------------------------------------------


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


def stanza_spec() -> dict[str, Any]:
    """The Application fields the refusal prints: the section sticks."""
    printed = ignore_differences_stanza(NAMESPACE, CONFIGMAP, DOCUMENT_KEY)
    spec: dict[str, Any] = yaml.safe_load(printed)["spec"]
    return spec


@pytest.fixture(scope="module", autouse=True)
def application(world: World, api: client.ApiClient) -> Iterator[None]:
    """The printed stanza on the Application for this module; the reference Application
    again afterwards, Synced and Healthy."""
    put_application(world, api, stanza_spec())
    yield
    put_application(world, api, {})
    world.argocd.wait_synced(api, APPLICATION)


@pytest.fixture(scope="module")
def driver(
    control_plane: ControlPlane, go_bin_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StackDriver]:
    stack = StackDriver.create(
        tmp_path_factory.mktemp("pulumi-verify"),
        go_bin_dir,
        STACK,
        {
            "KUBECONFIG": str(control_plane.kubeconfig),
            "AWS_ENDPOINT_URL": control_plane.moto_endpoint,
            **control_plane.admin.aws_env(),
            "AWS_REGION": control_plane.region,
        },
    )
    stack.set_config(
        {
            "aws:region": control_plane.region,
            f"{PROJECT}:section.writeTrackedConfigMap": True,
        }
    )
    run_by_roles(stack, control_plane, control_plane.kubeconfig)
    yield stack
    if stack.outputs():  # a step failed before destroy: the next module needs the seeded world
        stack.destroy("cleanup: destroy (verify)")
    stack.remove()


@pytest.fixture(scope="module")
def verify(driver: StackDriver, e2e_report: Report) -> Verify:
    return Verify(driver, e2e_report)


def shell(command: str, driver: StackDriver) -> None:
    """A printed fix, run as the user would paste it (the built kubectl is on the PATH)."""
    env = {**os.environ, **driver.env}
    done = subprocess.run(
        ["/bin/bash", "-c", command], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, (command, done.stdout, done.stderr)


def env_entry_pointer(view: ClusterView) -> str:
    """The JSON pointer of the stack's env entry in the live pod template."""
    spec = view.deployment()["spec"]["template"]["spec"]
    c = next(i for i, item in enumerate(spec["containers"]) if item["name"] == CONTAINER)
    env = spec["containers"][c].get("env") or []
    e = next(i for i, item in enumerate(env) if item["name"] == ENV_NAME)
    return f"/spec/template/spec/containers/{c}/env/{e}"


def patch_deployment_by_hand(api: client.ApiClient, patch: list[dict[str, Any]]) -> None:
    request(
        api,
        "PATCH",
        DEPLOYMENT_PATH,
        patch,
        query=[("fieldManager", HAND)],
        content_type="application/json-patch+json",
    )


def settled(view: ClusterView, current: str) -> None:
    """Rolled out, and no pod left that names another rotation's Secret (a terminating pod
    reading one is a finding of the env hop; the scenarios wait it out first)."""
    wait_for("rollout complete", view.rolled_out, 120)

    def only_current() -> bool:
        pods = view.pods()
        return all(
            not pods_referencing(pods, f"{BASE}-r{n}") for n in (1, 2) if f"{BASE}-r{n}" != current
        )

    wait_for(f"only pods reading {current}", only_current, 120)


def drift_checked(
    driver: StackDriver, report: Report, change: str, run: Run, drifted: set[tuple[str, str]]
) -> None:
    """drift.yml's preview, by the preview role (verify ran by the verify role): it fails,
    proposing exactly the drifted resources (issue 29, item 5)."""
    preview = driver.cli(*drift_argv(STACK))
    then.drift_named(preview, drifted)
    report.drift.append(
        {
            "mode": "cluster",
            "change": change,
            "preview_exit": preview.exit,
            "verify_exit": run.exit,
            "failed_hops": run.document["failed"],
        }
    )


def live_section(view: ClusterView) -> tuple[bool, object]:
    return read_section(view.document(), "cron", context="live")


# --- scenarios --------------------------------------------------------------------------------


def test_all_hops_hold_after_up(driver: StackDriver, view: ClusterView, verify: Verify) -> None:
    driver.up("up (verify)")
    verify.keep_secret(driver.outputs()["webhookToken"])
    settled(view, f"{BASE}-r1")

    runs = [verify() for _ in range(3)]
    for run in runs:
        holds(run)
    median = statistics.median(run.seconds for run in runs)
    print(f"  verify wall time after up, median of 3: {median:.2f} s", flush=True)
    verify.record(None, runs[0], median, after="up", runs_s=[round(r.seconds, 2) for r in runs])
    assert f"read Secret {BASE}-r1" in runs[0].hop("env")["summary"]


def test_all_hops_hold_after_a_rotation(
    driver: StackDriver, view: ClusterView, verify: Verify
) -> None:
    driver.set_config({f"{PROJECT}:token.rotation": "2"})
    driver.up("up (verify, rotation 1→2)")
    verify.keep_secret(driver.outputs()["webhookToken"])
    wait_for(f"Secret {BASE}-r1 collected", lambda: view.secret_data(f"{BASE}-r1") is None)
    settled(view, f"{BASE}-r2")

    run = verify()
    holds(run)
    assert "rotation 2" in run.hop("stack")["summary"]
    assert f"read Secret {BASE}-r2" in run.hop("env")["summary"]
    verify.record(None, run, after="rotation")


def test_ssm_value_changed_behind_esos_back(
    driver: StackDriver, ssm: Any, verify: Verify, e2e_report: Report
) -> None:
    injected = secrets.token_hex(32)
    verify.keep_secret(injected)
    ssm.put_parameter(Name=PARAMETER, Value=injected, Type="SecureString", Overwrite=True)

    run = verify()
    hop = fails_on(run, ["ssm", "externalSecret", "secret"], UP_REFRESH)
    assert "outside Pulumi" in hop["cause"]
    drift_checked(driver, e2e_report, "the SSM value changed", run, {PARAMETER_DISPLAYED})
    text = verify(text=True)
    assert text.exit == 1
    assert text.stdout.startswith("✔ stack"), text.stdout
    assert f"✘ ssm             parameter {PARAMETER}: its version is" in text.stdout
    assert f"fix:   {UP_REFRESH}" in text.stdout
    print("  verify's text output for this fault:\n" + text.stdout, flush=True)
    verify.record("the SSM value changed behind ESO's back", run, text=text.stdout.splitlines())

    driver.up("up --refresh (verify's fix: ssm)", refresh=True)
    parameter = ssm_parameter(ssm, PARAMETER)
    assert parameter is not None
    assert parameter["Value"] == driver.outputs()["webhookToken"]
    repaired = verify()
    holds(repaired)
    verify.record(None, repaired, after="the fix of: the SSM value changed behind ESO's back")


def test_a_broken_store_leaves_the_external_secret_not_ready(
    driver: StackDriver, api: client.ApiClient, view: ClusterView, verify: Verify
) -> None:
    name = f"{BASE}-r2"
    force_sync = (
        f"kubectl -n {NAMESPACE} annotate externalsecret {name} force-sync=$(date +%s) --overwrite"
    )
    with faults.store_credentials_broken(api):
        faults.force_sync(api, NAMESPACE, name)
        wait_for(f"ExternalSecret {name} not Ready", lambda: not view.external_secret_ready(name))
        run = verify()
    hop = fails_on(run, ["externalSecret"], force_sync)
    assert hop["summary"].startswith(f"ExternalSecret {NAMESPACE}/{name} is not Ready/SecretSynced")
    assert "ESO cannot read the parameter" in hop["cause"]
    verify.record("the store broken: the ExternalSecret not Ready", run)

    shell(hop["fix"], driver)  # the store is back; the printed nudge
    wait_for(f"ExternalSecret {name} Ready", lambda: view.external_secret_ready(name), 90)
    repaired = verify()
    holds(repaired)
    verify.record(None, repaired, after="the fix of: the store broken")


def test_the_env_entry_removed_by_hand(
    driver: StackDriver,
    api: client.ApiClient,
    view: ClusterView,
    verify: Verify,
    e2e_report: Report,
) -> None:
    pointer = env_entry_pointer(view)
    patch_deployment_by_hand(
        api,
        [
            {"op": "test", "path": f"{pointer}/name", "value": ENV_NAME},
            {"op": "remove", "path": pointer},
        ],
    )
    assert view.env_secret(ENV_NAME) is None
    run = verify()
    hop = fails_on(run, ["env"], UP_REFRESH)
    assert hop["summary"] == (
        f"Deployment {NAMESPACE}/{DEPLOYMENT} container {CONTAINER} has no env {ENV_NAME}"
    )
    drift_checked(driver, e2e_report, "the env entry removed by hand", run, {ENV_DISPLAYED})
    verify.record("the env entry removed by hand", run)

    driver.up("up --refresh (verify's fix: env entry)", refresh=True)
    assert view.env_secret(ENV_NAME) == f"{BASE}-r2"
    settled(view, f"{BASE}-r2")
    repaired = verify()
    holds(repaired)
    verify.record(None, repaired, after="the fix of: the env entry removed by hand")


def test_a_pod_template_still_naming_the_old_secret(
    driver: StackDriver, api: client.ApiClient, view: ClusterView, verify: Verify
) -> None:
    ref = f"{env_entry_pointer(view)}/valueFrom/secretKeyRef/name"
    patch_deployment_by_hand(
        api,
        [
            {"op": "test", "path": ref, "value": f"{BASE}-r2"},
            {"op": "replace", "path": ref, "value": f"{BASE}-r1"},
        ],
    )
    run = verify()
    # The edit made kubectl-edit the owner of the reference: `pulumi up` (never forcing) would
    # stop on the conflict, so the fix is the env stage's own apply, forced.
    take_back = (
        "printf '%s' '"
        '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"openclaw",'
        '"namespace":"openclaw"},"spec":{"template":{"spec":{"containers":[{"name":"openclaw",'
        f'"env":[{{"name":"{ENV_NAME}","valueFrom":{{"secretKeyRef":{{"name":"{BASE}-r2",'
        f'"key":"{ENV_NAME}"}}}}}}]}}]}}}}}}}}'
        "' | kubectl apply --server-side --force-conflicts "
        f"--field-manager=openclaw-cron-webhook/{STACK} -f -"
    )
    hop = fails_on(run, ["env"], take_back)
    assert hop["summary"] == (
        f"Deployment {NAMESPACE}/{DEPLOYMENT} container {CONTAINER} takes env {ENV_NAME} "
        f"from Secret {BASE}-r1, not {BASE}-r2"
    )
    assert hop["cause"].startswith(f"{HAND} changed the entry and now owns its secretKeyRef")
    verify.record("a pod template still naming the old Secret", run)

    shell(hop["fix"], driver)
    assert view.env_secret(ENV_NAME) == f"{BASE}-r2"
    settled(view, f"{BASE}-r2")
    repaired = verify()
    holds(repaired)
    driver.up("up --refresh (after the fix: the stack owns the entry again)", refresh=True)
    assert changes(driver.operations[-1]) == 0, driver.operations[-1].summary
    verify.record(None, repaired, after="the fix of: a pod template still naming the old Secret")


def test_the_section_edited_by_hand(driver: StackDriver, view: ClusterView, verify: Verify) -> None:
    present, section = live_section(view)
    assert present
    assert isinstance(section, dict)
    assert section["enabled"] is True
    edited = set_section(view.document(), "cron", {**section, "enabled": False}, context="hand")
    client.CoreV1Api(view.api_client).patch_namespaced_config_map(
        CONFIGMAP, NAMESPACE, {"data": {DOCUMENT_KEY: edited}}, field_manager=HAND
    )
    run = verify()
    hop = fails_on(run, ["config"], UP_REFRESH)
    assert hop["summary"] == (
        f"ConfigMap {NAMESPACE}/{CONFIGMAP} key {DOCUMENT_KEY}: enabled is false (stack: true)"
    )
    assert hop["cause"].endswith("or edited by hand")
    verify.record("the section edited by hand", run)

    driver.up("up --refresh (verify's fix: section edited)", refresh=True)
    assert live_section(view)[1] == section
    repaired = verify()
    holds(repaired)
    verify.record(None, repaired, after="the fix of: the section edited by hand")


def test_the_section_reverted_by_argo_cd(
    driver: StackDriver, api: client.ApiClient, view: ClusterView, world: World, verify: Verify
) -> None:
    """The Application loses the stanza: self-heal puts Git's document back, section-less."""
    _, section = live_section(view)
    put_application(world, api, {})
    world.argocd.refresh(api, APPLICATION)
    wait_for("Argo CD reverts the section", lambda: not live_section(view)[0], 120)
    run = verify()
    hop = fails_on(run, ["config"], UP_REFRESH)
    assert hop["summary"] == (
        f"ConfigMap {NAMESPACE}/{CONFIGMAP} key {DOCUMENT_KEY}: there is no `cron` section"
    )
    assert f"reverted by Argo CD Application {APPLICATION}" in hop["cause"]
    assert f"the Application must ignore /data/{DOCUMENT_KEY}" in hop["cause"]
    verify.record("the section reverted by Argo CD (self-heal)", run)

    put_application(world, api, stanza_spec())  # what the cause says the Application needs
    world.argocd.wait_synced(api, APPLICATION)
    driver.up("up --refresh (verify's fix: section reverted)", refresh=True)
    assert live_section(view) == (True, section)
    repaired = verify()
    holds(repaired)
    verify.record(None, repaired, after="the fix of: the section reverted by Argo CD")


def test_no_access_to_aws_is_a_check_that_cannot_run(verify: Verify) -> None:
    closed = f"http://127.0.0.1:{free_ports(1)[0]}"
    run = verify(env={"AWS_ENDPOINT_URL_SSM": closed})
    document = run.document
    assert (run.exit, document["status"], document["exit"]) == (2, "error", 2), run.stdout
    assert document["failed"] == []
    assert document["unchecked"] == ["ssm", "secret"]
    hop = run.hop("ssm")
    assert hop["summary"] == f"cannot reach SSM at {closed} (EndpointConnectionError)"
    assert hop["fix"] == f"aws ssm describe-parameters --max-results 1 --endpoint-url {closed}"
    verify.record("no access to AWS (SSM endpoint a closed port)", run)

    repaired = verify()
    holds(repaired)
    verify.record(None, repaired, after="AWS reachable again")


def test_after_destroy_verify_reports_phase_2_absent(
    driver: StackDriver, view: ClusterView, ssm: Any, world: World, verify: Verify
) -> None:
    driver.destroy("destroy (verify)")
    wait_for(f"Secret {BASE}-r2 collected", lambda: view.secret_data(f"{BASE}-r2") is None)
    assert world_snapshot(view.api_client) == world.seeded
    assert ssm_parameter(ssm, PARAMETER) is None

    run = verify()
    document = run.document
    assert (run.exit, document["status"], document["exit"]) == (1, "absent", 1), run.stdout
    assert document["hops"] == []
    assert document["headline"].startswith(f"Phase 2 absent: stack {STACK} has no outputs")
    verify.record("Phase 2 destroyed (absent)", run)

    # Every run of the module, the failing ones included, printed no secret value (each run
    # was searched for the values known then; this searches all for every value seen).
    assert verify.runs
    assert verify.secret_values
    assert [leak for run in verify.runs for leak in verify.leaks(run)] == []
