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

Each test is one step and depends on the ones before it (they share one stack), and reads as
given (the fixtures: the world, the stack as the steps before left it, and what the step notes
before it acts) → when (one operation) → then (named verdicts, `e2e.harness.verdicts`, which read
the cluster, moto and Argo CD directly, not Pulumi's account of them).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client, config
from pulumi import automation as auto

from e2e.harness import verdicts as then
from e2e.harness.control_plane import apply
from e2e.harness.gitops_observe import Timeline, env_entry_owners
from e2e.harness.given import ENV_NAME, PARAMETER, PROJECT, field_manager, new_stack
from e2e.harness.grants import run_by_roles
from e2e.harness.materialise import deliver_from_materialised_pod
from e2e.harness.observe import ClusterView, Watcher, ssm_parameter, wait_for
from e2e.harness.secrets_scan import LITERAL_TOKEN, RECORDER
from e2e.harness.stack_driver import Operation, Report, StackDriver, Step, changes
from e2e.harness.world import (
    APPLICATION,
    DEPLOYMENT,
    DEPLOYMENT_FILE,
    NAMESPACE,
    World,
    put_application,
)
from openclaw_runtime.install import OpenClawInstall
from policy import resource_types, rules
from stages.env_entry.pod_spec import EnvTarget, apply_body
from stages.section.document import add_section, set_section
from stages.section.tracking import ignore_differences_stanza
from tools.verify.stack import settings_from_config

pytestmark = pytest.mark.e2e

CONTEXTS = ("e2e-a", "e2e-b")
STACK = "e2e"
OWNED = [field_manager(STACK)]  # the env entry's owners: the stack's own manager alone
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
    return control_plane.ssm_client()


@pytest.fixture(scope="module", autouse=True)
def reference_application(view: ClusterView, world: World) -> Iterator[None]:
    """Whatever a scenario told Argo CD, the next module finds the reference Application."""
    yield
    put_application(world, view.api_client, {})


@pytest.fixture(scope="module")
def seeded(world: World) -> dict[str, Any]:
    """The world before Phase 2, read back right after seeding: what destroy must restore."""
    return world.seeded


@pytest.fixture(scope="module")
def driver(
    control_plane: Any,
    go_bin_dir: Path,
    kubeconfig: Path,
    tmp_path_factory: pytest.TempPathFactory,
    e2e_report: Report,
) -> Iterator[StackDriver]:
    stack = new_stack(
        tmp_path_factory.mktemp("pulumi"), go_bin_dir, STACK, control_plane, kubeconfig
    )
    stack.set_config(
        {
            "aws:region": control_plane.region,
            "kubernetes:context": CONTEXTS[0],
            # The materialised gateway's receiver listens on loopback (see the proof step).
            f"{PROJECT}:cron.webhookSsrfPolicy.allowedHostnames[0]": "127.0.0.1",
        }
    )
    e2e_report.permissions["cluster"] = run_by_roles(stack, control_plane, kubeconfig)
    yield stack
    e2e_report.operations = [
        {"name": op.name, "seconds": round(op.seconds, 2), "summary": op.summary}
        for op in stack.operations
    ]
    stack.remove()


def offline_plan(stack: StackDriver, out: Path) -> dict[str, Any]:
    """The offline plan of the very stack file the engine uses (its output and folder go to
    the secrets scan)."""
    stack_file = stack.project / "Pulumi.e2e.yaml"
    args = ["tools.plan", "--stack-file", str(stack_file), "--out", str(out)]
    done = RECORDER.tool("cluster", args, stack.env)
    assert done.returncode == 0, done.stderr
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


def preview_is_the_plan(preview: Operation, plan: dict[str, Any]) -> None:
    """The engine's preview creates exactly the resources the offline plan lists."""
    planned = {("create", r["type"], r["name"]) for r in plan["resources"]}
    assert custom_steps(preview.steps) == planned
    assert {step.op for step in preview.steps} == {"create"}


def policy_holds_on_what_the_engine_announced(preview: Operation) -> None:
    """The policy pack's own analyzer needs the Python language host, which cannot be built
    here; its rules are applied to the inputs the real engine announced instead."""
    checks = (
        rules.check_ssm_parameter,
        rules.check_workload_env,
        rules.check_config_values,
        rules.check_external_secret,
    )
    announced = {step.type for step in preview.steps}
    assert {
        resource_types.SSM_PARAMETER,
        resource_types.ENV_ENTRY,
        resource_types.JSON_SECTION,
    } <= announced
    for step in preview.steps:
        for check in checks:
            assert check(step.type, step.inputs) == [], (step.type, check.__name__)


def refusal_names_the_controller_and_both_ways_out(text: str) -> None:
    """Who tracks the ConfigMap, the git-mode command, and the ignoreDifferences stanza."""
    assert (
        "ConfigMap openclaw/openclaw-config is tracked by a GitOps controller: Argo CD "
        "Application openclaw (annotation argocd.argoproj.io/tracking-id)"
    ) in text
    assert f"pulumi config set --path '{PROJECT}:section.target' git" in text
    stanza = ignore_differences_stanza(NAMESPACE, "openclaw-config", "openclaw.json")
    assert all(line in text for line in stanza.splitlines())


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
    refusal_names_the_controller_and_both_ways_out(text)
    start = text.index("ConfigMap openclaw/openclaw-config is tracked")
    e2e_report.gitops["preview_refusal"] = text[start:].splitlines()[:20]
    then.world_as_seeded(view, seeded)
    assert driver.outputs() == {}


def test_preview_of_a_new_stack_is_exactly_the_offline_plan(
    driver: StackDriver, seeded: dict[str, Any], tmp_path: Path
) -> None:
    driver.set_config({f"{PROJECT}:section.writeTrackedConfigMap": True})

    preview = driver.preview("preview (new stack)")

    preview_is_the_plan(preview, offline_plan(driver, tmp_path / "plan"))
    policy_holds_on_what_the_engine_announced(preview)


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
    then.argo_cd_synced_and_healthy(world, view)

    token = token_output(driver)
    then.token_at_rest_in_ssm(ssm, token)
    assert view.external_secret_ready("openclaw-cron-webhook-r1")
    then.secret_holds(view, "openclaw-cron-webhook-r1", token)
    deployment = view.deployment()
    then.env_entry_appended(deployment, seeded, "openclaw-cron-webhook-r1")
    then.env_entry_owned_by_the_stack_alone(deployment, STACK)
    then.rollouts_since(view, revision, 1)
    assert view.rolled_out()
    e2e_report.rollouts["up"] = view.revision() - revision
    # Argo CD put Git's document back, byte for byte.
    assert view.document() == seeded["configmap_data"]["openclaw.json"]
    then.token_never_in_state(driver, token)


def entry_kept(timeline: Timeline) -> bool:
    """Once the env entry appeared (owned by the stack alone), it never changed owner or went."""
    owners = [e["env_entry_owners"] for e in timeline.events if "env_entry_owners" in e]
    if OWNED not in owners:
        return False
    return all(o == OWNED for o in owners[owners.index(OWNED) :])


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
    then.argo_cd_synced_and_healthy(world, view)


def test_a_second_preview_reports_no_change(driver: StackDriver, e2e_report: Report) -> None:
    preview = driver.preview("preview (no change)")

    e2e_report.preview_noop_changes = changes(preview)
    then.no_changes(preview)


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
    then.secret_holds(view, new, parameter["Value"])
    assert view.env_secret(ENV_NAME) == new
    assert watcher.seen[f"ready:{new}"].at < watcher.seen[f"env:{new}"].at
    then.no_ready_pod_read_it_when_it_went(watcher, old)
    assert view.external_secret(old) is None
    then.rollouts_since(view, revision, 1)
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
    assert env_entry_owners(live, ENV_NAME) == OWNED
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

    assert then.live_section(view)["enabled"] is False
    then.rollouts_since(view, revision, 0)
    e2e_report.rollouts["config-only"] = view.revision() - revision


def test_refresh_reports_a_hand_edit_of_the_section(driver: StackDriver, view: ClusterView) -> None:
    core = client.CoreV1Api(view.api_client)
    # A literal token pasted into the section too: refresh stores it masked (secrets scan).
    hand_edit = {**then.live_section(view), "enabled": True, "webhookToken": LITERAL_TOKEN}
    edited = set_section(view.document(), "cron", hand_edit, context="hand edit")
    core.patch_namespaced_config_map(
        "openclaw-config", "openclaw", {"data": {"openclaw.json": edited}}
    )

    refresh = driver.refresh("refresh (after a hand edit)")

    assert refresh.summary.get("update") == 1, refresh.summary
    driver.up("up (restore the section)")
    assert then.live_section(view)["enabled"] is False


def test_a_kube_context_change_keeps_refresh_and_destroy_on_the_cluster(
    driver: StackDriver, kubeconfig: Path
) -> None:
    """The section's old state named context e2e-a; after the switch, e2e-a no longer exists."""
    driver.set_config({"kubernetes:context": CONTEXTS[1]})
    then.no_changes(driver.preview("preview (context e2e-a → e2e-b)"))
    driver.up("up (context e2e-b)")
    document = yaml.safe_load(kubeconfig.read_text())
    document["contexts"] = [c for c in document["contexts"] if c["name"] == CONTEXTS[1]]
    document["current-context"] = CONTEXTS[1]
    kubeconfig.write_text(yaml.safe_dump(document))

    refresh = driver.refresh("refresh (context e2e-a gone)")

    then.no_changes(refresh)


def test_the_materialised_pod_sends_the_webhook_with_the_token_in_ssm(
    view: ClusterView, ssm: Any, openclaw: OpenClawInstall, tmp_path: Path
) -> None:
    delivery = deliver_from_materialised_pod(view, openclaw, tmp_path)

    then.delivered_with_the_token_in_ssm(delivery, ssm)


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

    then.no_ready_pod_read_it_when_it_went(watcher, secret)
    assert view.external_secret(secret) is None
    assert view.env_secret(ENV_NAME) is None
    assert view.rolled_out()
    e2e_report.rollouts["destroy"] = view.revision() - revision
    then.rollouts_since(view, revision, 1)
    then.world_as_seeded(view, seeded)
    assert ssm_parameter(ssm, PARAMETER) is None
    # Issue 18, 3d: the world as Argo CD seeded it, and Argo CD content with it.
    then.argo_cd_synced_and_healthy(world, view)


def test_retain_on_destroy_keeps_the_parameter_and_an_adopted_section_comes_back(
    driver: StackDriver, view: ClusterView, ssm: Any, seeded: dict[str, Any]
) -> None:
    """Issue 30, item 3, on the real API server: a `cron` section equal to the stack's, put in
    by hand before the stack (one line, its own key order), is adopted by `up` (nothing
    written) and given back by destroy byte for byte, instead of removed."""
    driver.set_config({f"{PROJECT}:token.retainOnDestroy": True})
    config = {key: (v.value, v.secret) for key, v in driver.stack.get_all_config().items()}
    section = settings_from_config(config, STACK).cron_section()
    by_hand = hand_written_section(seeded["configmap_data"]["openclaw.json"], section)
    put_document(view, by_hand)

    driver.up("up (retainOnDestroy, an equal section already there)")
    token = token_output(driver)
    assert driver.outputs()["cronSection"] == section
    assert view.document() == by_hand  # adopted: not rewritten

    driver.destroy("destroy (retainOnDestroy)")

    assert view.document() == by_hand  # given back as it was, not removed
    put_document(view, seeded["configmap_data"]["openclaw.json"])
    parameter = ssm_parameter(ssm, PARAMETER)
    assert parameter is not None
    assert parameter["Value"] == token
    then.world_as_seeded(view, seeded)
    ssm.delete_parameter(Name=PARAMETER)


def hand_written_section(document: str, section: dict[str, Any]) -> str:
    """`document` with `section` as its last member, spelled unlike the stack would."""
    close = document.rindex("}")
    spelled = json.dumps(dict(reversed(list(section.items()))))
    return document[:close].rstrip() + ',\n  "cron": ' + spelled + "\n" + document[close:]


def put_document(view: ClusterView, document: str) -> None:
    """Write openclaw.json by hand (Argo CD ignores it here: the printed stanza is on)."""
    core = client.CoreV1Api(view.api_client)
    core.patch_namespaced_config_map(
        "openclaw-config", "openclaw", {"data": {"openclaw.json": document}}
    )


SECOND_MANAGER = "second-manager-e2e"


def still_declared_refusal(secret: str) -> str:
    """stages.env_entry.owners' message, as the product prints it."""
    return (
        f"Deployment {NAMESPACE}/{DEPLOYMENT} container openclaw: env {ENV_NAME} is still "
        f"declared by field manager {SECOND_MANAGER}, so it stays in the pod template after "
        f"this stack let go of it, taking its value from Secret {secret}, which this destroy "
        "would delete next with its ExternalSecret: every pod started after that would fail "
        "with CreateContainerConfigError. The destroy stops here; the ExternalSecret and its "
        "Secret are kept. Remove the entry from the source of that writer (for a GitOps "
        "controller, the Deployment's manifest in Git) and let it sync, then run `pulumi "
        "destroy` again."
    )


def test_destroy_stops_while_another_manager_declares_the_env_entry(
    driver: StackDriver, view: ClusterView, ssm: Any, seeded: dict[str, Any]
) -> None:
    """Issue 30, item 4, with a real second manager: a GitOps controller applies the same env
    entry (Server-Side Apply, its own field manager); destroy stops before the ExternalSecret,
    naming it and the way out; the Secret stays and the pods keep running; once that manager
    lets go, destroy completes. Also cluster mode's verify for the secrets scan."""
    driver.set_config({f"{PROJECT}:token.retainOnDestroy": False})
    driver.up("up (a second manager will declare the entry)")
    verify = ["tools.verify", "--stack", driver.stack.name, "--project-dir", str(driver.project)]
    assert RECORDER.tool("cluster", verify, driver.env_of("verify")).returncode == 0
    secret = view.env_secret(ENV_NAME)
    assert secret is not None
    target = EnvTarget(NAMESPACE, DEPLOYMENT, "openclaw", ENV_NAME)
    entry = next(e for e in view.container_env() if e["name"] == ENV_NAME)
    deployment = f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/{DEPLOYMENT}"
    apply(view.api_client, deployment, apply_body(target, [entry]), SECOND_MANAGER)
    RECORDER.capture_cluster(view.api_client, "cluster mode, stack up, a second manager")

    with pytest.raises(auto.CommandError) as refused:
        driver.destroy("destroy (a second manager declares the entry)")

    assert still_declared_refusal(secret) in " ".join(str(refused.value).split())
    assert view.env_secret(ENV_NAME) == secret
    assert view.external_secret(secret) is not None
    assert view.secret_data(secret) is not None
    assert view.rolled_out()
    assert view.ready_pods_reading(secret) != []

    apply(view.api_client, deployment, apply_body(target, []), SECOND_MANAGER)
    wait_for("the entry gone from the pod template", lambda: view.env_secret(ENV_NAME) is None)
    driver.destroy("destroy (the second manager let go)")

    wait_for(f"Secret {secret} garbage-collected", lambda: view.secret_data(secret) is None)
    wait_for("rollout complete", view.rolled_out)
    then.world_as_seeded(view, seeded)
    assert ssm_parameter(ssm, PARAMETER) is None


def test_after_destroy_the_materialised_pod_has_neither_variable_nor_section(
    view: ClusterView, openclaw: OpenClawInstall, tmp_path: Path
) -> None:
    delivery = deliver_from_materialised_pod(view, openclaw, tmp_path)

    then.not_delivered_without_the_path(delivery)
