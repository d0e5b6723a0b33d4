"""Rollback as a team does it (issue 28, item 5), in cluster mode and in git mode: the stack's file
lives in a git repository of its own, every change is a commit, every rollback a `git revert`,
and CI runs `pulumi preview` (the pull request's check) or `pulumi up` (after the merge) on what
is committed.

The story, per mode, on one stack in the shared world (the file starts with `enabled: false`):
commit "turn Phase 2 on" → up (Phase 2 live, one rollout) → commit "rotate" → up (one rollout)
→ revert "rotate" → preview and up refused by the rotation guard before anything changes (the
team then follows its message: a revert of the revert keeps the current rotation) → commit the
section-only rollback (`section.present: false`) → up (the section gone, in git mode from the
repository's file and then live; env entry, Secret and token in place, no rollout) → revert
"turn Phase 2 on" → up (one rollout; the world as seeded, in git mode the repository's file
byte for byte; `retainOnDestroy: false`, so no parameter). The file's lines are laid out so
that each revert applies cleanly, as in a team's file where unrelated settings are apart.

What e2e/scenarios/test_runbook.py already runs is not repeated: the documented commands
(`pulumi config set … enabled false`, `section.present` and its undo) and the old states.
Each test is one step (given → when → then, verdicts in e2e.harness.verdicts); the two modes are
the two params of the `team` fixture, so pytest runs the cluster story, then the git story.
report.json's `rollback` has each step, its rollouts and whether the world was as seeded.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi import automation as auto

from e2e.harness import verdicts as then
from e2e.harness.control_plane import ControlPlane
from e2e.harness.given import ENV_NAME, PARAMETER, PROJECT, StackRepo, new_stack
from e2e.harness.grants import run_by_roles
from e2e.harness.observe import ClusterView, Watcher, ssm_parameter, wait_for
from e2e.harness.stack_driver import Operation, Report, StackDriver
from e2e.harness.world import (
    APPLICATION,
    CONFIGMAP,
    CONFIGMAP_FILE,
    DOCUMENT_KEY,
    NAMESPACE,
    World,
    configmap_manifest_text,
    put_application,
)
from e2e.harness.world import snapshot as world_snapshot
from stages.env_entry.identity import TYPE as ENV_ENTRY_TYPE
from stages.external_secret.identity import TYPE as EXTERNAL_SECRET_TYPE
from stages.parameter.identity import TYPE as PARAMETER_TYPE
from stages.section.identity import CLUSTER_TYPE, GIT_TYPE
from stages.section.tracking import ignore_differences_stanza
from stages.token.identity import GUARD_TYPE
from stages.token.identity import TYPE as TOKEN_TYPE

pytestmark = pytest.mark.e2e

MODES = ("cluster", "git")
PAIR = "openclaw-cron-webhook-r{}"  # the ExternalSecret/Secret pair of a rotation
# The lines the team's commits change (each apart from the others: a revert applies cleanly).
PHASE2_OFF, PHASE2_ON = f"  {PROJECT}:enabled: false", f"  {PROJECT}:enabled: true"
ROTATION_1, ROTATION_2 = '    rotation: "1"', '    rotation: "2"'
SECTION_ON, SECTION_OFF = "    present: true", "    present: false"
PATH_TYPES = (GUARD_TYPE, TOKEN_TYPE, PARAMETER_TYPE, EXTERNAL_SECRET_TYPE, ENV_ENTRY_TYPE)


def stack_config(mode: str, control_plane: ControlPlane, world: World) -> str:
    """The stack file's `config:` as the team first commits it: Phase 2 off. Cluster mode
    writes into the ConfigMap Argo CD tracks (the user's choice; the Application ignores the
    document), git mode through the GitOps repository."""
    if mode == "cluster":
        target = ["    writeTrackedConfigMap: true"]
    else:
        target = [
            "    target: git",
            "    git:",
            f"      repo: {world.repo.url}",
            f"      path: {CONFIGMAP_FILE}",
            f"      application: {APPLICATION}",
            "      deliveryTimeoutSeconds: 120",
        ]
    lines = [
        "config:",
        f"  aws:region: {control_plane.region}",
        "  # Phase 2 on or off: CI's `pulumi up` after a revert of the commit that turned it on",
        "  # switches it off.",
        PHASE2_OFF,
        f"  {PROJECT}:token:",
        ROTATION_1,
        "    retainOnDestroy: false",
        f"  {PROJECT}:section:",
        SECTION_ON,
        *target,
    ]
    return "\n".join(lines) + "\n"


@dataclass
class Team:
    """One mode's stack, the repository holding its file, and what the report gets."""

    mode: str
    driver: StackDriver
    repo: StackRepo
    record: dict[str, Any]
    commits: dict[str, str] = field(default_factory=dict)
    switched_off: bool = False  # the last step left Phase 2 off: nothing to clean up

    @property
    def section_type(self) -> str:
        return GIT_TYPE if self.mode == "git" else CLUSTER_TYPE

    def up(self, step: str) -> Operation:
        """CI's `pulumi up` on the committed file."""
        self.driver.up(f"up ({self.mode}: {step})")
        assert self.repo.committed(), "the run rewrote the committed stack file"
        return self.driver.operations[-1]

    def note(
        self, step: str, view: ClusterView, world: World, revision: int, started: float, **more: Any
    ) -> None:
        """The step in report.json: its commit, its rollouts, the world as seeded or not."""
        entry = {
            "step": step,
            "commit": self.repo.subject("HEAD"),
            "rollouts": view.revision() - revision,
            "world_as_seeded": world_snapshot(view.api_client) == world.seeded,
            **more,
            "seconds": round(time.monotonic() - started, 1),
        }
        if self.mode == "git":
            entry["repo_file_as_seeded"] = world.repo.read(CONFIGMAP_FILE) == (
                configmap_manifest_text()
            )
        self.record["steps"].append(entry)


@pytest.fixture(scope="module")
def view(control_plane: ControlPlane) -> Iterator[ClusterView]:
    with control_plane.api_client() as api_client:
        yield ClusterView(api_client)


@pytest.fixture(scope="module")
def ssm(control_plane: ControlPlane) -> Any:
    return control_plane.ssm_client()


@pytest.fixture(scope="module", params=MODES)
def team(
    request: pytest.FixtureRequest,
    control_plane: ControlPlane,
    go_bin_dir: Path,
    world: World,
    view: ClusterView,
    tmp_path_factory: pytest.TempPathFactory,
    e2e_report: Report,
) -> Iterator[Team]:
    """A new stack whose file the team committed with Phase 2 off. In cluster mode the
    Application carries the printed ignoreDifferences stanza while the story runs."""
    mode: str = request.param
    if mode == "cluster":
        stanza = yaml.safe_load(ignore_differences_stanza(NAMESPACE, CONFIGMAP, DOCUMENT_KEY))
        put_application(world, view.api_client, stanza["spec"])
    work = tmp_path_factory.mktemp(f"pulumi-rollback-{mode}")
    driver = new_stack(
        work, go_bin_dir, f"e2e-rollback-{mode}", control_plane, control_plane.kubeconfig
    )
    config = stack_config(mode, control_plane, world)
    repo = StackRepo.start(driver, config, "the stack of openclaw-cron-webhook, Phase 2 off")
    # CI's identities: the pull request's preview by the preview role, up by the deployer.
    roles = run_by_roles(driver, control_plane, control_plane.kubeconfig)
    e2e_report.permissions[f"rollback-{mode}"] = roles
    record: dict[str, Any] = {"steps": []}
    e2e_report.rollback[mode] = record
    started = time.monotonic()
    team = Team(mode, driver, repo, record)
    yield team
    record["seconds"] = round(time.monotonic() - started, 1)
    record["pulumi_seconds"] = round(sum(op.seconds for op in driver.operations), 1)
    try:
        if not team.switched_off:  # a failed step: the next module finds the world clean
            driver.destroy(f"destroy ({mode}: cleanup)")
        driver.remove()
    finally:
        if mode == "cluster":
            put_application(world, view.api_client, {})


def test_turning_phase2_on_is_one_commit_and_one_rollout(
    team: Team, view: ClusterView, ssm: Any, world: World
) -> None:
    """Given the file committed with Phase 2 off and the world as seeded, when the team commits
    `enabled: true` and CI runs `pulumi up`, then the whole path is live after one rollout."""
    then.world_as_seeded(view, world.seeded)
    revision, started = view.revision(), time.monotonic()
    team.commits["on"] = team.repo.change("turn Phase 2 on", PHASE2_OFF, PHASE2_ON)

    operation = team.up("turn Phase 2 on")

    team.note("turn Phase 2 on", view, world, revision, started)
    then.changed_exactly(operation, {("create", t) for t in (*PATH_TYPES, team.section_type)})
    outputs = team.driver.outputs()
    then.token_at_rest_in_ssm(ssm, outputs["webhookToken"])
    then.secret_holds(view, PAIR.format(1), outputs["webhookToken"])
    then.env_entry_appended(view.deployment(), world.seeded, PAIR.format(1))
    then.rollouts_since(view, revision, 1)
    then.document_is_the_seeded_one_with(view, world.seeded, outputs["cronSection"])
    if team.mode == "git":
        then.repo_document_is_the_seeded_one_with(world, outputs["cronSection"])


def test_rotating_is_one_commit_and_one_rollout(
    team: Team, view: ClusterView, ssm: Any, world: World
) -> None:
    old_token = team.driver.outputs()["webhookToken"]
    revision, started = view.revision(), time.monotonic()
    team.commits["rotate"] = team.repo.change("rotate the token", ROTATION_1, ROTATION_2)

    team.up("rotate")

    team.note("rotate", view, world, revision, started)
    token = team.driver.outputs()["webhookToken"]
    assert token != old_token
    then.token_at_rest_in_ssm(ssm, token)
    then.secret_holds(view, PAIR.format(2), token)
    assert view.env_secret(ENV_NAME) == PAIR.format(2)
    then.rollouts_since(view, revision, 1)


def readings(team: Team, view: ClusterView, ssm: Any, world: World) -> dict[str, Any]:
    """What a refused operation must leave as it was: the cluster (the world's objects, the
    rollout, the pairs' Secrets), the parameter, the stack's resources in the state (by URN;
    secrets as their ciphertext's place, which each write renews) and the GitOps repository's
    head. Tokens only as digests: a failed verdict prints what differs. Not the engine's
    default-provider records: the dynamic provider's records the config of each run, the
    refused one's too (`token.rotation` "1", seen in this e2e), and no resource reads it."""
    parameter = ssm_parameter(ssm, PARAMETER) or {}
    exported = team.driver.cli("stack", "export")
    assert exported.exit == 0, exported.output
    resources = json.loads(exported.stdout)["deployment"].get("resources") or []
    return {
        "world": world_snapshot(view.api_client),
        "revision": view.revision(),
        "pairs": {n: digest(view.secret_data(PAIR.format(n))) for n in (1, 2, 3)},
        "parameter": (digest(parameter.get("Value")), parameter.get("Version")),
        "state": {
            resource["urn"]: masked(resource)
            for resource in resources
            if not resource["type"].startswith("pulumi:providers:")
        },
        "repo": world.repo.head(),
    }


def digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]


def masked(value: Any) -> Any:
    """`value` with each encrypted secret replaced by a marker."""
    if isinstance(value, dict):
        if "ciphertext" in value:
            return "[secret]"
        return {key: masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def test_reverting_the_rotation_is_refused_before_anything_changes(
    team: Team, view: ClusterView, ssm: Any, world: World
) -> None:
    """Given rotation 2 live, when the team reverts the rotation's commit (back to 1), then the
    pull request's preview and CI's up are refused by the rotation guard, naming both ways out,
    and nothing changed. The team follows the message: a revert of the revert."""
    before = readings(team, view, ssm, world)
    revision, started = view.revision(), time.monotonic()
    team.commits["revert rotate"] = team.repo.revert(team.commits["rotate"])

    with pytest.raises(auto.CommandError) as preview:
        team.driver.preview(f"preview ({team.mode}: revert the rotation)")
    with pytest.raises(auto.CommandError) as up:
        team.up("revert the rotation")

    team.note("revert the rotation", view, world, revision, started, refused=True)
    after = readings(team, view, ssm, world)
    team.repo.revert(team.commits["revert rotate"])  # as the message says: keep rotation 2
    then.rotation_refused_going_back(str(preview.value), "1", "2", "3")
    then.rotation_refused_going_back(str(up.value), "1", "2", "3")
    then.nothing_changed(before, after)
    assert ROTATION_2 in (team.repo.folder / team.repo.stack_file).read_text().splitlines()


def test_the_section_only_rollback_keeps_env_secret_and_token_with_no_rollout(
    team: Team, view: ClusterView, ssm: Any, world: World
) -> None:
    token = team.driver.outputs()["webhookToken"]
    parameter = ssm_parameter(ssm, PARAMETER)
    assert parameter is not None
    revision, started = view.revision(), time.monotonic()
    team.commits["section off"] = team.repo.change(
        "roll back the cron section only", SECTION_ON, SECTION_OFF
    )

    operation = team.up("section-only rollback")

    team.note("section-only rollback", view, world, revision, started)
    then.changed_exactly(operation, {("delete", team.section_type)})
    if team.mode == "git":  # from the repository's file first, then live
        then.repo_file_as_seeded(world)
        then.argo_cd_synced_and_healthy(world, view, world.repo.head())
    then.document_as_seeded(view, world.seeded)
    then.env_entry_appended(view.deployment(), world.seeded, PAIR.format(2))
    then.secret_holds(view, PAIR.format(2), token)
    then.token_at_rest_in_ssm(ssm, token)
    assert (ssm_parameter(ssm, PARAMETER) or {}).get("Version") == parameter["Version"]
    then.rollouts_since(view, revision, 0)


def test_reverting_the_commit_that_turned_phase2_on_leaves_the_world_as_seeded(
    team: Team, view: ClusterView, ssm: Any, world: World
) -> None:
    """Given Phase 2 without its section, when the team reverts "turn Phase 2 on" and CI runs
    `pulumi up`, then the rest goes in one rollout (no ready pod reading the Secret when its
    ExternalSecret goes), the world is as seeded and, `retainOnDestroy` being false, the
    parameter is gone; the stack holds nothing but its `enabled` output."""
    secret = PAIR.format(2)
    revision, started = view.revision(), time.monotonic()
    team.commits["off"] = team.repo.revert(team.commits["on"])
    assert PHASE2_OFF in (team.repo.folder / team.repo.stack_file).read_text().splitlines()

    with Watcher(view, ENV_NAME, (secret,)) as watcher:
        operation = team.up("revert 'turn Phase 2 on'")
        wait_for(f"Secret {secret} garbage-collected", lambda: view.secret_data(secret) is None)

    team.switched_off = True
    team.note("revert 'turn Phase 2 on'", view, world, revision, started)
    then.changed_exactly(operation, {("delete", t) for t in PATH_TYPES})
    then.rollouts_since(view, revision, 1)
    then.no_ready_pod_read_it_when_it_went(watcher, secret)
    then.world_as_seeded(view, world.seeded)
    if team.mode == "git":
        then.repo_file_as_seeded(world)
        then.argo_cd_synced_and_healthy(world, view, world.repo.head())
    assert ssm_parameter(ssm, PARAMETER) is None
    assert team.driver.outputs() == {"enabled": False}
