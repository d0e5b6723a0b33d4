"""Then: the scenarios' verdicts, each a small named function that asserts one fact of the world.

Why: a scenario reads given (the world and the stack) → when (one operation) → then (what must
hold), and its then should read as a list of names, not as the assertions behind them (Argo CD's
test/e2e/fixture/app: `Then().Expect(SyncStatusIs(...))`). A verdict asked in both modes (the
delivery through the materialised pod, a no-op preview, Argo CD content, the world as seeded)
is one function. Every verdict reads the cluster, moto, Argo CD or the repository directly,
never Pulumi's account of them. e2e/conftest.py registers this module for pytest's assertion
rewriting, so a failed verdict shows its values as an assertion in a test module does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from e2e.harness import cli_output
from e2e.harness.gitops_observe import Timeline
from e2e.harness.given import ENV_NAME, PARAMETER, PROJECT, field_manager
from e2e.harness.materialise import MaterialisedPod
from e2e.harness.observe import ClusterView, Watcher, ssm_parameter
from e2e.harness.stack_driver import CliRun, Operation, StackDriver, changes
from e2e.harness.webhook_receiver import Received
from e2e.harness.world import (
    APPLICATION,
    CONFIGMAP,
    CONFIGMAP_FILE,
    DOCUMENT_KEY,
    NAMESPACE,
    World,
    configmap_manifest_text,
)
from e2e.harness.world import snapshot as world_snapshot
from stages.section.document import add_section, read_section
from stages.section.git.manifest import ManifestTarget, find_document

Delivery = tuple[MaterialisedPod, Received | None, dict[str, Any]]


def no_changes(operation: Operation) -> None:
    assert changes(operation) == 0, (
        operation.summary,
        [(s.op, s.name) for s in operation.steps if s.op != "same"],
    )


def drift_named(run: CliRun, drifted: set[tuple[str, str]]) -> None:
    """drift.yml's preview fails, and the resources it would change are exactly the drifted
    ones (type as displayed, name): each is a hop of the token's path."""
    assert run.exit != 0, run.output
    assert "no changes were expected for preview but changes were proposed" in run.output
    proposed = {
        (t, n) for op, t, n in cli_output.steps(run.output) if op not in ("read", "refresh")
    }
    assert proposed == drifted, run.output


def world_as_seeded(view: ClusterView, seeded: dict[str, Any]) -> None:
    assert world_snapshot(view.api_client) == seeded


def argo_cd_synced_and_healthy(
    world: World, view: ClusterView, revision: str | None = None
) -> None:
    """Waits for it (Argo CD may still be comparing), at `revision` when given."""
    synced = world.argocd.wait_synced(view.api_client, APPLICATION, revision)
    assert synced[:2] == ("Synced", "Healthy")


def argo_cd_reports_synced_and_healthy_at(world: World, view: ClusterView, head: str) -> None:
    """Now, without waiting: what Argo CD says after the watch that preceded it."""
    assert world.argocd.status(view.api_client, APPLICATION)[:3] == ("Synced", "Healthy", head)


def rollouts_since(view: ClusterView, revision: int, count: int) -> None:
    assert view.revision() == revision + count


def live_section(view: ClusterView) -> dict[str, Any]:
    """The live document's `cron` section, which must be there."""
    present, section = read_section(view.document(), "cron", context="live")
    assert present
    assert isinstance(section, dict)
    return section


def token_at_rest_in_ssm(ssm: Any, token: str) -> None:
    """The stack's token is the parameter's value: a SecureString of 32 random bytes, hex."""
    parameter = ssm_parameter(ssm, PARAMETER)
    assert parameter is not None
    assert parameter["Type"] == "SecureString"
    assert re.fullmatch(r"[0-9a-f]{64}", parameter["Value"])
    assert parameter["Value"] == token


def secret_holds(view: ClusterView, secret: str, token: str) -> None:
    assert view.secret_data(secret) == {ENV_NAME: token}


def env_entry_appended(
    deployment: Mapping[str, Any], seeded: Mapping[str, Any], secret: str
) -> None:
    """Only the app's container changed, and only by one env entry after its own, read from
    `secret`; every other container is as seeded."""
    seeded_containers = seeded["deployment_template"]["spec"]["containers"]
    live_containers = deployment["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in live_containers] == [c["name"] for c in seeded_containers]
    for seeded_container, live in zip(seeded_containers, live_containers, strict=True):
        if live["name"] != "openclaw":
            assert live == seeded_container
            continue
        assert live["env"] == [
            *seeded_container.get("env", []),
            {"name": ENV_NAME, "valueFrom": {"secretKeyRef": {"name": secret, "key": ENV_NAME}}},
        ]
        assert {k: v for k, v in live.items() if k != "env"} == {
            k: v for k, v in seeded_container.items() if k != "env"
        }


def field_keys(fields: Mapping[str, Any]) -> set[str]:
    """Every key of a managedFields `fieldsV1` tree (`k:{"name":"X"}` marks a list item)."""
    return set(fields) | {
        nested
        for value in fields.values()
        if isinstance(value, dict)
        for nested in field_keys(value)
    }


def env_entry_owned_by_the_stack_alone(deployment: Mapping[str, Any], stack: str) -> None:
    entry_key = f'k:{{"name":"{ENV_NAME}"}}'
    owners = [
        m["manager"]
        for m in deployment["metadata"]["managedFields"]
        if entry_key in field_keys(m.get("fieldsV1", {}))
    ]
    assert owners == [field_manager(stack)]


def token_never_in_state(driver: StackDriver, token: str) -> None:
    """The state files hold the token only as ciphertext."""
    state = driver.state_files_text()
    assert token not in state
    assert '"ciphertext"' in state


def no_ready_pod_read_it_when_it_went(watcher: Watcher, secret: str) -> None:
    assert watcher.seen[f"gone:{secret}"].detail == [], "a ready pod still read the Secret"


def delivered_with_the_token_in_ssm(delivery: Delivery, ssm: Any) -> None:
    """The whole path: the pod's env holds SSM's value, and OpenClaw sent it as the Bearer."""
    pod, received, entry = delivery
    parameter = ssm_parameter(ssm, PARAMETER)
    assert parameter is not None
    assert pod.env[ENV_NAME] == parameter["Value"]
    assert (entry["status"], entry["deliveryStatus"]) == ("ok", "delivered")
    assert received is not None
    assert received.header("Authorization") == [f"Bearer {parameter['Value']}"]


def not_delivered_without_the_path(delivery: Delivery) -> None:
    """Neither variable nor section in the pod; without the section, OpenClaw's SSRF guard
    blocks a loopback receiver again."""
    pod, received, entry = delivery
    assert ENV_NAME not in pod.env
    assert read_section(pod.document, "cron", context="live") == (False, None)
    assert received is None
    assert entry["deliveryStatus"] != "delivered"


def committed_after_the_rollout(timeline: Timeline, head: str, stack: str) -> float:
    """The git-mode order: the env entry was applied and its rollout complete before `head`
    was pushed; returns when it was pushed."""
    owned = [field_manager(stack)]
    env_at = next(e["t"] for e in timeline.events if e.get("env_entry_owners") == owned)
    pushed_at: float = next(e["t"] for e in timeline.events if e.get("repo_head") == head)
    readings = [
        e["rolled_out"] for e in timeline.events if "rolled_out" in e and e["t"] <= pushed_at
    ]
    assert env_at <= pushed_at, timeline.events
    assert readings[-1] is True, "the commit was pushed before the rollout completed"
    return pushed_at


def section_stayed_live(timeline: Timeline, since: float) -> float:
    """Once live after `since`, the section never went for the rest of the watch; returns
    when it came."""
    live_from = timeline.first("section_present", True, after=since)
    assert live_from is not None
    assert timeline.first("section_present", False, after=live_from) is None, timeline.events
    return live_from


def changed_exactly(operation: Operation, expected: set[tuple[str, str]]) -> None:
    """The steps that are not `same`, as (op, type), are `expected`: the stack's components
    and the engine's default providers left out (they follow their children)."""
    changed = {
        (step.op, step.type)
        for step in operation.steps
        if step.op != "same" and not step.type.startswith((f"{PROJECT}:", "pulumi:providers:"))
    }
    assert changed == expected


def nothing_changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    """Each reading taken before an operation is the same after it; what differs is shown
    down to the keys that differ, as (before, after)."""
    assert differing(before, after) == {}


def differing(old: Any, new: Any) -> Any:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        keys = [*old, *(key for key in new if key not in old)]
        return {k: differing(old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)}
    return (old, new)


def document_as_seeded(view: ClusterView, seeded: Mapping[str, Any]) -> None:
    """The live openclaw.json is the seeded one byte for byte: no section, nothing else moved."""
    assert view.document() == seeded["configmap_data"][DOCUMENT_KEY]


def document_is_the_seeded_one_with(
    view: ClusterView, seeded: Mapping[str, Any], section: Any
) -> None:
    """The live openclaw.json is the seeded one with exactly `section` as its `cron` key."""
    document = seeded["configmap_data"][DOCUMENT_KEY]
    assert view.document() == add_section(document, "cron", section, context="seeded")


def repo_document_is_the_seeded_one_with(world: World, section: Any) -> None:
    """The GitOps repository's openclaw.json (in the ConfigMap manifest) is the seeded one
    with exactly `section` as its `cron` key."""
    target = ManifestTarget(NAMESPACE, CONFIGMAP, DOCUMENT_KEY)
    manifest = world.repo.read(CONFIGMAP_FILE)
    document = find_document(manifest, target, source=CONFIGMAP_FILE).document
    assert document == add_section(world.document, "cron", section, context="seeded")


def repo_file_as_seeded(world: World) -> None:
    """The GitOps repository's ConfigMap manifest is, byte for byte, the one seeded."""
    assert world.repo.read(CONFIGMAP_FILE) == configmap_manifest_text()


def rotation_refused_going_back(text: str, rotation: str, current: str, forward: str) -> None:
    """The rotation guard's refusal: what was asked, that nothing changed, both ways out."""
    assert (
        f"token.rotation {rotation!r} goes back from the current rotation {current!r}: a "
        "rotation only goes forward."
    ) in text
    assert "Nothing was changed." in text
    for label in (current, forward):
        assert f"pulumi config set --path '{PROJECT}:token.rotation' {label}" in text
