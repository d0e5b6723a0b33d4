"""The scenarios: a user's whole life with the stack, on the real engine, in order, in the
reference world — the app owned by a real Argo CD (self-heal, Server-Side Apply).

preview refused (the ConfigMap is tracked by Argo CD; the user has not chosen) → preview with
the explicit choice (= the offline plan) → up, and what Argo CD does in the next 60 s (section
reverted, env entry kept) → the printed ignoreDifferences stanza on the Application, and the
section sticks → a second preview (0 changes) → rotation → a Git change of the Deployment synced
by Argo CD (env entry kept) → config-only change → hand edit + refresh → kube context change →
the proof of the whole path (a materialised pod's OpenClaw sends the webhook with moto's token)
→ destroy (the world as seeded, Argo CD Synced and Healthy) → retainOnDestroy keeps the
parameter → the materialisation without Phase 2.

Each test is one step and depends on the ones before it (they share one stack); every
assertion reads the cluster or moto directly (`e2e.harness.observe`), not Pulumi's account of it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client, config
from pulumi import automation as auto

from e2e.harness.gitops_observe import Timeline, env_entry_owners
from e2e.harness.materialise import deliver_from_materialised_pod
from e2e.harness.observe import ClusterView, Watcher, ssm_client, ssm_parameter, wait_for
from e2e.harness.stack_driver import ROOT, Report, StackDriver, Step, changes
from e2e.harness.world import APPLICATION, DEPLOYMENT_FILE, NAMESPACE, World, put_application
from e2e.harness.world import snapshot as world_snapshot
from openclaw_runtime.install import OpenClawInstall
from policy import rules
from stages.section.document import add_section, read_section, set_section
from stages.section.tracking import ignore_differences_stanza

pytestmark = pytest.mark.e2e

PROJECT = "openclaw-cron-webhook"
PARAMETER = "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
ENV_NAME = "OPENCLAW_CRON_WEBHOOK_TOKEN"
FIELD_MANAGER = "openclaw-cron-webhook"
CONTEXTS = ("e2e-a", "e2e-b")
# How long the e2e watches what Argo CD does after `pulumi up` (issue 18, 3a).
WATCH_SECONDS = 60.0


@pytest.fixture(scope="module")
def kubeconfig(control_plane: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The control plane's kubeconfig with two contexts on the same cluster (see context step)."""
    document = yaml.safe_load(Path(control_plane.kubeconfig).read_text())
    base = document["contexts"][0]["context"]
    document["contexts"] = [{"name": name, "context": dict(base)} for name in CONTEXTS]
    document["current-context"] = CONTEXTS[0]
    path = tmp_path_factory.mktemp("kube") / "config"
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.fixture(scope="module")
def view(kubeconfig: Path) -> Iterator[ClusterView]:
    api_client = config.new_client_from_config(config_file=str(kubeconfig), context=CONTEXTS[0])
    yield ClusterView(api_client)
    api_client.close()


@pytest.fixture(scope="module")
def ssm(control_plane: Any) -> Any:
    return ssm_client(control_plane.moto_endpoint, control_plane.region)


@pytest.fixture(scope="module", autouse=True)
def reference_application(view: ClusterView, world: World) -> Iterator[None]:
    """Whatever a scenario told Argo CD, the next module finds the reference Application."""
    yield
    put_application(world, view.api_client, {})


@pytest.fixture(scope="module")
def seeded(world: World) -> dict[str, Any]:
    """The world before Phase 2, read back right after seeding: what destroy must restore."""
    return world.seeded


def snapshot(view: ClusterView) -> dict[str, Any]:
    return world_snapshot(view.api_client)


@pytest.fixture(scope="module")
def driver(
    control_plane: Any,
    go_bin_dir: Path,
    kubeconfig: Path,
    tmp_path_factory: pytest.TempPathFactory,
    e2e_report: Report,
) -> Iterator[StackDriver]:
    work = tmp_path_factory.mktemp("pulumi")
    stack = StackDriver.create(
        work,
        go_bin_dir,
        "e2e",
        {
            "KUBECONFIG": str(kubeconfig),
            "AWS_ENDPOINT_URL": control_plane.moto_endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": control_plane.region,
        },
    )
    stack.set_config(
        {
            "aws:region": control_plane.region,
            "kubernetes:context": CONTEXTS[0],
            # The materialised gateway's receiver listens on loopback (see the proof step).
            f"{PROJECT}:cron.webhookSsrfPolicy.allowedHostnames[0]": "127.0.0.1",
        }
    )
    yield stack
    e2e_report.operations = [
        {"name": op.name, "seconds": round(op.seconds, 2), "summary": op.summary}
        for op in stack.operations
    ]
    stack.remove()


def offline_plan(stack: StackDriver, out: Path) -> dict[str, Any]:
    """The offline plan of the very stack file the engine uses."""
    stack_file = stack.project / "Pulumi.e2e.yaml"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.plan",
            "--stack-file",
            str(stack_file),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    plan: dict[str, Any] = json.loads((out / "plan.json").read_text())
    return plan


def custom_steps(steps: list[Step]) -> set[tuple[str, str, str]]:
    """(op, type, name) of the steps on real resources: not the components grouping them,
    not the default providers (the engine's own resources, which no plan lists)."""
    return {
        (s.op, s.type, s.name)
        for s in steps
        if not s.type.startswith((f"{PROJECT}:", "pulumi:providers:"))
    }


def field_keys(fields: dict[str, Any]) -> set[str]:
    """Every key of a managedFields `fieldsV1` tree (`k:{"name":"X"}` marks a list item)."""
    return {key for key, value in fields.items()} | {
        nested
        for value in fields.values()
        if isinstance(value, dict)
        for nested in field_keys(value)
    }


def live_cron(view: ClusterView) -> dict[str, Any]:
    """The live document's `cron` section (which must be there)."""
    present, section = read_section(view.document(), "cron", context="live")
    assert present
    assert isinstance(section, dict)
    return section


def token_output(stack: StackDriver) -> str:
    token: str = stack.outputs()["webhookToken"]
    return token


def test_preview_refuses_a_section_argo_cd_would_revert(
    driver: StackDriver, view: ClusterView, seeded: dict[str, Any], e2e_report: Report
) -> None:
    """Issue 18, 3c: the live ConfigMap carries Argo CD's tracking annotation; without the
    user's explicit choice the preview fails, saying so, and nothing is applied."""
    with pytest.raises(auto.CommandError) as failure:
        driver.preview("preview (ConfigMap tracked by Argo CD)")
    text = str(failure.value)
    assert (
        "ConfigMap openclaw/openclaw-config is tracked by a GitOps controller: Argo CD "
        "Application openclaw (annotation argocd.argoproj.io/tracking-id)"
    ) in text
    assert f"pulumi config set --path '{PROJECT}:section.target' git" in text
    stanza = ignore_differences_stanza(NAMESPACE, "openclaw-config", "openclaw.json")
    assert all(line in text for line in stanza.splitlines())
    start = text.index("ConfigMap openclaw/openclaw-config is tracked")
    e2e_report.gitops["preview_refusal"] = text[start:].splitlines()[:20]
    assert snapshot(view) == seeded
    assert driver.outputs() == {}


def test_preview_of_a_new_stack_is_exactly_the_offline_plan(
    driver: StackDriver, seeded: dict[str, Any], tmp_path: Path
) -> None:
    driver.set_config({f"{PROJECT}:section.writeTrackedConfigMap": True})
    preview = driver.preview("preview (new stack)")
    plan = offline_plan(driver, tmp_path / "plan")

    planned = {("create", r["type"], r["name"]) for r in plan["resources"]}
    assert custom_steps(preview.steps) == planned
    assert {step.op for step in preview.steps} == {"create"}

    # The policy pack's own analyzer needs the Python language host, which cannot be built
    # here; its rules are applied to the inputs the real engine announced instead.
    checks = (
        rules.check_ssm_parameter,
        rules.check_workload_env,
        rules.check_config_values,
        rules.check_external_secret,
    )
    announced = {step.type for step in preview.steps}
    assert {rules.SSM_PARAMETER, rules.ENV_ENTRY, rules.JSON_SECTION} <= announced
    for step in preview.steps:
        for check in checks:
            assert check(step.type, step.inputs) == [], (step.type, check.__name__)


def test_up_rolls_out_phase2_and_argo_cd_reverts_only_the_section(
    driver: StackDriver,
    view: ClusterView,
    ssm: Any,
    seeded: dict[str, Any],
    world: World,
    e2e_report: Report,
) -> None:
    """Issue 18, 3a: what Argo CD does within 60 s of `pulumi up` writing into the tracked
    ConfigMap (the user chose it, but did not tell Argo CD to ignore the document)."""
    revision = view.revision()
    timeline = Timeline(view.api_client, world.argocd, APPLICATION, ENV_NAME)
    with timeline:
        timeline.mark("pulumi up started")
        driver.up("up")
        up_done = timeline.now()
        timeline.mark("pulumi up finished")
        wait_for(f"{WATCH_SECONDS:.0f} s of Argo CD", lambda: timeline.now() > WATCH_SECONDS, 90)
    written = timeline.first("section_present", True)
    reverted = timeline.first("section_present", False, after=written or 0.0)
    e2e_report.gitops["controller"] = {
        "name": "Argo CD",
        "version": world.argocd.version,
        "real": True,
    }
    e2e_report.gitops["cluster_mode"] = {
        "section_reverted_after_s": (
            round(reverted - written, 2) if reverted is not None and written is not None else None
        ),
        "env_entry_kept": entry_kept(timeline),
        "pulumi_up_seconds": up_done,
        "timeline": timeline.events,
    }
    assert written is not None, timeline.events
    assert reverted is not None, "Argo CD kept the in-cluster section (prediction: reverted)"
    assert e2e_report.gitops["cluster_mode"]["env_entry_kept"], timeline.events
    assert world.argocd.wait_synced(view.api_client, APPLICATION)[:2] == ("Synced", "Healthy")

    token = token_output(driver)
    parameter = ssm_parameter(ssm, PARAMETER)
    assert parameter is not None
    assert parameter["Type"] == "SecureString"
    assert re.fullmatch(r"[0-9a-f]{64}", parameter["Value"])
    assert parameter["Value"] == token

    assert view.external_secret_ready("openclaw-cron-webhook-r1")
    assert view.secret_data("openclaw-cron-webhook-r1") == {ENV_NAME: token}

    deployment = view.deployment()
    seeded_containers = seeded["deployment_template"]["spec"]["containers"]
    live_containers = deployment["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in live_containers] == [c["name"] for c in seeded_containers]
    for seeded_container, live in zip(seeded_containers, live_containers, strict=True):
        if live["name"] != "openclaw":
            assert live == seeded_container
            continue
        assert live["env"] == [
            *seeded_container.get("env", []),
            {
                "name": ENV_NAME,
                "valueFrom": {
                    "secretKeyRef": {"name": "openclaw-cron-webhook-r1", "key": ENV_NAME}
                },
            },
        ]
        assert {k: v for k, v in live.items() if k != "env"} == {
            k: v for k, v in seeded_container.items() if k != "env"
        }
    entry_key = f'k:{{"name":"{ENV_NAME}"}}'
    owners = [
        m["manager"]
        for m in deployment["metadata"]["managedFields"]
        if entry_key in field_keys(m.get("fieldsV1", {}))
    ]
    assert owners == [FIELD_MANAGER]
    assert view.revision() == revision + 1
    assert view.rolled_out()
    e2e_report.rollouts["up"] = view.revision() - revision
    # Argo CD put Git's document back, byte for byte.
    assert view.document() == seeded["configmap_data"]["openclaw.json"]

    state = driver.state_files_text()
    assert token not in state
    assert '"ciphertext"' in state


def entry_kept(timeline: Timeline) -> bool:
    """Once the env entry appeared (owned by the stack alone), it never changed owner or went."""
    owners = [e["env_entry_owners"] for e in timeline.events if "env_entry_owners" in e]
    if [FIELD_MANAGER] not in owners:
        return False
    return all(o == [FIELD_MANAGER] for o in owners[owners.index([FIELD_MANAGER]) :])


def test_with_the_printed_stanza_on_the_application_the_section_sticks(
    driver: StackDriver, view: ClusterView, seeded: dict[str, Any], world: World
) -> None:
    """The refusal's second way out, as printed: ignoreDifferences on the document plus
    RespectIgnoreDifferences; refresh sees the section gone, up writes it, Argo CD leaves it."""
    printed = ignore_differences_stanza(NAMESPACE, "openclaw-config", "openclaw.json")
    stanza = yaml.safe_load(printed)
    put_application(world, view.api_client, stanza["spec"])
    assert changes(driver.refresh("refresh (section reverted by Argo CD)")) == 1
    driver.up("up (section again, Argo CD told to ignore it)")

    seeded_document = seeded["configmap_data"]["openclaw.json"]
    section = driver.outputs()["cronSection"]
    expected = add_section(seeded_document, "cron", section, context="seeded")
    assert view.document() == expected
    world.argocd.refresh(view.api_client, APPLICATION)
    with Timeline(view.api_client, world.argocd, APPLICATION, ENV_NAME) as timeline:
        wait_for("20 s of Argo CD", lambda: timeline.now() > 20, 40)
    assert view.document() == expected, timeline.events
    assert world.argocd.wait_synced(view.api_client, APPLICATION)[:2] == ("Synced", "Healthy")


def test_a_second_preview_reports_no_change(driver: StackDriver, e2e_report: Report) -> None:
    preview = driver.preview("preview (no change)")
    e2e_report.preview_noop_changes = changes(preview)
    assert changes(preview) == 0, [(s.op, s.name) for s in preview.steps if s.op != "same"]


def test_rotation_switches_to_a_synced_new_pair_with_one_rollout(
    driver: StackDriver, view: ClusterView, ssm: Any, e2e_report: Report
) -> None:
    old_token = token_output(driver)
    document = view.document()
    revision = view.revision()
    driver.set_config({f"{PROJECT}:token.rotation": "2"})
    old, new = "openclaw-cron-webhook-r1", "openclaw-cron-webhook-r2"
    with Watcher(view, ENV_NAME, (old, new)) as watcher:
        driver.up("up (rotation 1→2)")
        wait_for(f"Secret {old} garbage-collected", lambda: view.secret_data(old) is None)

    parameter = ssm_parameter(ssm, PARAMETER)
    assert parameter is not None
    assert parameter["Value"] == token_output(driver) != old_token
    assert view.secret_data(new) == {ENV_NAME: parameter["Value"]}
    assert view.env_secret(ENV_NAME) == new
    assert watcher.seen[f"ready:{new}"].at < watcher.seen[f"env:{new}"].at
    assert watcher.seen[f"gone:{old}"].detail == [], "a ready pod still read the old Secret"
    assert view.external_secret(old) is None
    assert view.revision() == revision + 1
    e2e_report.rollouts["rotation"] = view.revision() - revision
    assert view.document() == document


def test_a_git_change_to_the_deployment_synced_by_argo_cd_keeps_the_env_entry(
    view: ClusterView, world: World, e2e_report: Report
) -> None:
    """Issue 18, 3b: the app's owner changes the Deployment in Git (an annotation on the pod
    template); Argo CD syncs it with --force-conflicts, a new rollout runs, the entry stays."""
    original = world.repo.read(DEPLOYMENT_FILE)
    manifest = yaml.safe_load(original)
    template = manifest["spec"]["template"]["metadata"]
    template.setdefault("annotations", {})["example.com/restarted-by"] = "gitops-e2e"
    env_before = view.container_env()
    revision = view.revision()
    changed = world.repo.commit(
        {DEPLOYMENT_FILE: yaml.safe_dump(manifest, sort_keys=False)},
        "openclaw: annotate the pod template",
    )
    world.argocd.refresh(view.api_client, APPLICATION)
    world.argocd.wait_synced(view.api_client, APPLICATION, changed)
    wait_for("the annotated template rolled out", lambda: view.revision() == revision + 1)
    wait_for("rollout complete", view.rolled_out)

    live = view.deployment()
    assert live["spec"]["template"]["metadata"]["annotations"]["example.com/restarted-by"] == (
        "gitops-e2e"
    )
    assert view.container_env() == env_before
    assert env_entry_owners(live, ENV_NAME) == [FIELD_MANAGER]
    e2e_report.gitops["git_change_to_deployment"] = {
        "env_entry_kept": view.container_env() == env_before,
        "rollouts": view.revision() - revision,
    }

    restored = world.repo.commit({DEPLOYMENT_FILE: original}, "openclaw: revert the annotation")
    world.argocd.refresh(view.api_client, APPLICATION)
    world.argocd.wait_synced(view.api_client, APPLICATION, restored)
    wait_for("the restored template rolled out", lambda: view.revision() == revision + 2)
    wait_for("rollout complete", view.rolled_out)
    assert "example.com/restarted-by" not in (
        view.deployment()["spec"]["template"]["metadata"].get("annotations") or {}
    )
    assert view.container_env() == env_before


def test_config_only_change_rewrites_the_section_without_a_rollout(
    driver: StackDriver, view: ClusterView, e2e_report: Report
) -> None:
    revision = view.revision()
    driver.set_config({f"{PROJECT}:cron.enabled": False})
    driver.up("up (cron.enabled false)")

    assert live_cron(view)["enabled"] is False
    assert view.revision() == revision
    e2e_report.rollouts["config-only"] = view.revision() - revision


def test_refresh_reports_a_hand_edit_of_the_section(driver: StackDriver, view: ClusterView) -> None:
    core = client.CoreV1Api(view.api_client)
    edited = set_section(
        view.document(), "cron", {**live_cron(view), "enabled": True}, context="hand edit"
    )
    core.patch_namespaced_config_map(
        "openclaw-config", "openclaw", {"data": {"openclaw.json": edited}}
    )

    refresh = driver.refresh("refresh (after a hand edit)")
    assert refresh.summary.get("update") == 1, refresh.summary

    driver.up("up (restore the section)")
    assert live_cron(view)["enabled"] is False


def test_a_kube_context_change_keeps_refresh_and_destroy_on_the_cluster(
    driver: StackDriver, kubeconfig: Path
) -> None:
    """The section's old state named context e2e-a; after the switch, e2e-a no longer exists."""
    driver.set_config({"kubernetes:context": CONTEXTS[1]})
    assert changes(driver.preview("preview (context e2e-a → e2e-b)")) == 0
    driver.up("up (context e2e-b)")
    document = yaml.safe_load(kubeconfig.read_text())
    document["contexts"] = [c for c in document["contexts"] if c["name"] == CONTEXTS[1]]
    document["current-context"] = CONTEXTS[1]
    kubeconfig.write_text(yaml.safe_dump(document))

    refresh = driver.refresh("refresh (context e2e-a gone)")
    assert changes(refresh) == 0, refresh.summary


def test_the_materialised_pod_sends_the_webhook_with_the_token_in_ssm(
    view: ClusterView, ssm: Any, openclaw: OpenClawInstall, tmp_path: Path
) -> None:
    pod, received, entry = deliver_from_materialised_pod(view, openclaw, tmp_path)

    parameter = ssm_parameter(ssm, PARAMETER)
    assert parameter is not None
    assert pod.env[ENV_NAME] == parameter["Value"]
    assert (entry["status"], entry["deliveryStatus"]) == ("ok", "delivered")
    assert received is not None
    assert received.header("Authorization") == [f"Bearer {parameter['Value']}"]


def test_destroy_gives_back_the_world_as_seeded(
    driver: StackDriver,
    view: ClusterView,
    ssm: Any,
    seeded: dict[str, Any],
    world: World,
    e2e_report: Report,
) -> None:
    secret = view.env_secret(ENV_NAME)
    assert secret is not None
    revision = view.revision()
    with Watcher(view, ENV_NAME, (secret,)) as watcher:
        driver.destroy("destroy")
        wait_for(f"Secret {secret} garbage-collected", lambda: view.secret_data(secret) is None)

    assert watcher.seen[f"gone:{secret}"].detail == [], "a ready pod still read the Secret"
    assert view.external_secret(secret) is None
    assert view.env_secret(ENV_NAME) is None
    assert view.rolled_out()
    e2e_report.rollouts["destroy"] = view.revision() - revision
    assert view.revision() == revision + 1
    assert snapshot(view) == seeded
    assert ssm_parameter(ssm, PARAMETER) is None
    # Issue 18, 3d: the world as Argo CD seeded it, and Argo CD content with it.
    synced = world.argocd.wait_synced(view.api_client, APPLICATION)
    assert synced[:2] == ("Synced", "Healthy")


def test_retain_on_destroy_keeps_the_parameter(
    driver: StackDriver, view: ClusterView, ssm: Any, seeded: dict[str, Any]
) -> None:
    driver.set_config({f"{PROJECT}:token.retainOnDestroy": True})
    driver.up("up (retainOnDestroy)")
    token = token_output(driver)
    driver.destroy("destroy (retainOnDestroy)")

    parameter = ssm_parameter(ssm, PARAMETER)
    assert parameter is not None
    assert parameter["Value"] == token
    assert snapshot(view) == seeded
    ssm.delete_parameter(Name=PARAMETER)


def test_after_destroy_the_materialised_pod_has_neither_variable_nor_section(
    view: ClusterView, openclaw: OpenClawInstall, tmp_path: Path
) -> None:
    pod, received, entry = deliver_from_materialised_pod(view, openclaw, tmp_path)

    assert ENV_NAME not in pod.env
    assert read_section(pod.document, "cron", context="live") == (False, None)
    # Without the section, OpenClaw's SSRF guard blocks a loopback receiver again.
    assert received is None
    assert entry["deliveryStatus"] != "delivered"
