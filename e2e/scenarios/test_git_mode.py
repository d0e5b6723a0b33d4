"""Git mode on the real engine, under the real Argo CD: the `cron` section goes through the GitOps
repository (`section.target: git`), so self-heal delivers it instead of reverting it.

preview (what a reviewer sees) → up (the commit lands after the env rollout; Argo CD delivers
it; it stays through several self-heal periods; the materialised pod's OpenClaw delivers with
moto's token) → a no-op preview (0 changes) → a config-only change (one commit, no rollout) →
an unrelated commit between preview and up (kept; our push still lands) → the branch protected
(a pre-receive hook refuses: up fails before it waits, saying why and the ways out; nothing
committed) → destroy (the repo's file byte for byte as before, the cluster as seeded, Argo CD
Synced).

Each test reads as given → when → then, as in test_scenarios.py (verdicts:
`e2e.harness.verdicts`).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from e2e.harness import verdicts as then
from e2e.harness.control_plane import ControlPlane
from e2e.harness.git_remote import GitRemote
from e2e.harness.gitops_observe import Timeline
from e2e.harness.given import ENV_NAME, PROJECT, new_stack
from e2e.harness.grants import run_by_roles
from e2e.harness.materialise import deliver_from_materialised_pod
from e2e.harness.observe import ClusterView, wait_for
from e2e.harness.pr_preview import drift_argv
from e2e.harness.secrets_scan import LITERAL_TOKEN, RECORDER
from e2e.harness.stack_driver import Report, StackDriver, changes
from e2e.harness.world import APPLICATION, CONFIGMAP_FILE, World, configmap_manifest_text
from openclaw_runtime.install import OpenClawInstall
from stages.section.document import add_section, read_section

pytestmark = pytest.mark.e2e

# Self-heal reacts within seconds (2 s backoff, x3); 20 s covers several periods.
KEEP_WATCHING_SECONDS = 20.0
SECTION_DISPLAYED = "pulumi-python:dynamic/openclaw:GitJsonSection"  # its type, as the CLI shows


@pytest.fixture(scope="module")
def view(control_plane: ControlPlane) -> Iterator[ClusterView]:
    with control_plane.api_client() as api_client:
        yield ClusterView(api_client)


@pytest.fixture(scope="module")
def git_report(e2e_report: Report) -> dict[str, Any]:
    section: dict[str, Any] = e2e_report.gitops.setdefault("git_mode", {"push_to_live_s": []})
    return section


@pytest.fixture(scope="module")
def driver(
    control_plane: ControlPlane,
    go_bin_dir: Path,
    world: World,
    tmp_path_factory: pytest.TempPathFactory,
    e2e_report: Report,
) -> Iterator[StackDriver]:
    work = tmp_path_factory.mktemp("pulumi-git")
    stack = new_stack(work, go_bin_dir, "e2e-git", control_plane, control_plane.kubeconfig)
    stack.set_config(
        {
            "aws:region": control_plane.region,
            f"{PROJECT}:section.target": "git",
            f"{PROJECT}:section.git.repo": world.repo.url,
            f"{PROJECT}:section.git.path": CONFIGMAP_FILE,
            f"{PROJECT}:section.git.application": APPLICATION,
            f"{PROJECT}:section.git.deliveryTimeoutSeconds": 120,
            f"{PROJECT}:cron.webhookSsrfPolicy.allowedHostnames[0]": "127.0.0.1",
        }
    )
    e2e_report.permissions["git"] = run_by_roles(stack, control_plane, control_plane.kubeconfig)
    yield stack
    stack.remove()


def watched(view: ClusterView, world: World) -> Timeline:
    """Argo CD, the live objects, the repository's head, the rollout and the live section's
    `enabled`, on one clock."""

    def extra() -> dict[str, Any]:
        _, section = read_section(view.document(), "cron", context="live")
        enabled = section.get("enabled") if isinstance(section, dict) else None
        return {"repo_head": world.repo.head(), "rolled_out": view.rolled_out(), "enabled": enabled}

    return Timeline(view.api_client, world.argocd, APPLICATION, ENV_NAME, extra=extra)


def push_to_live(timeline: Timeline, before: str, key: str, value: Any) -> float:
    """Seconds from the new head commit appearing to the live reading ``key`` being ``value``."""
    pushed = next(e["t"] for e in timeline.events if e.get("repo_head") not in (None, before))
    delivered = timeline.first(key, value, after=pushed)
    assert delivered is not None, timeline.events
    return round(delivered - pushed, 2)


def test_git_mode_preview_shows_what_a_reviewer_needs(
    driver: StackDriver, e2e_report: Report
) -> None:
    preview = driver.preview("preview (git mode, new stack)")

    types = {step.type for step in preview.steps if step.op == "create"}
    assert "pulumi-python:dynamic/openclaw:GitJsonSection" in types
    assert "pulumi-python:dynamic/openclaw:JsonSection" not in types
    e2e_report.gitops.setdefault("git_mode", {"push_to_live_s": []})["preview"] = (
        preview.stdout.splitlines()
    )


def test_git_mode_up_commits_after_the_rollout_and_argo_cd_delivers_it(
    driver: StackDriver,
    control_plane: ControlPlane,
    view: ClusterView,
    world: World,
    seeded: dict[str, Any],
    openclaw: OpenClawInstall,
    tmp_path: Path,
    git_report: dict[str, Any],
) -> None:
    before = world.repo.head()
    revision = view.revision()

    with watched(view, world) as timeline:
        driver.up("up (git mode)")
        wait_for(
            "Argo CD Synced",
            lambda: world.argocd.status(view.api_client, APPLICATION)[0] == "Synced",
        )
        kept_from = timeline.now()
        wait_for(
            f"{KEEP_WATCHING_SECONDS:.0f} s",
            lambda: timeline.now() > kept_from + KEEP_WATCHING_SECONDS,
        )

    head = world.repo.head()
    assert head != before
    pushed_at = then.committed_after_the_rollout(timeline, head, driver.stack.name)
    then.rollouts_since(view, revision, 1)
    section = driver.outputs()["cronSection"]
    expected = add_section(seeded["configmap_data"]["openclaw.json"], "cron", section, context="x")
    assert view.document() == expected
    live_from = then.section_stayed_live(timeline, since=pushed_at)
    git_report["push_to_live_s"].append(push_to_live(timeline, before, "section_present", True))
    git_report["section_kept_s"] = round(timeline.now() - live_from, 1)
    then.argo_cd_reports_synced_and_healthy_at(world, view, head)

    delivery = deliver_from_materialised_pod(view, openclaw, tmp_path)
    ssm = control_plane.ssm_client()
    then.delivered_with_the_token_in_ssm(delivery, ssm)


def test_git_mode_second_preview_reports_no_change(
    driver: StackDriver, git_report: dict[str, Any]
) -> None:
    preview = driver.preview("preview (git mode, no change)")

    git_report["noop_changes"] = changes(preview)
    then.no_changes(preview)


def test_git_mode_drift_check_names_the_section_reverted_in_git(
    driver: StackDriver, world: World, e2e_report: Report
) -> None:
    """drift.yml's two checks by the read-only roles (issue 29, item 5), after someone reverts
    the section in the GitOps repository: the preview fails proposing the section alone, verify
    fails on the gitops hop; the next `up` puts the section back."""
    world.repo.commit({CONFIGMAP_FILE: configmap_manifest_text()}, "revert: the cron section")

    preview = driver.cli(*drift_argv(driver.stack.name))
    verify = ["tools.verify", "--stack", driver.stack.name, "--project-dir", str(driver.project)]
    run = RECORDER.tool("git", [*verify, "--json"], driver.env_of("verify"))

    then.drift_named(preview, {(SECTION_DISPLAYED, "openclaw-cron-section")})
    hops = {hop["name"]: hop["status"] for hop in json.loads(run.stdout)["hops"]}
    assert run.returncode == 1, run.stdout + run.stderr
    assert hops["gitops"] == "fail", hops
    e2e_report.drift.append(
        {
            "mode": "git",
            "change": "the section reverted in Git",
            "preview_exit": preview.exit,
            "verify_exit": run.returncode,
            "failed_hops": [hop for hop, status in hops.items() if status == "fail"],
        }
    )
    driver.up("up (git mode, after the section was reverted in Git)")
    then.no_changes(driver.preview("preview (git mode, the section back)"))


def test_git_mode_config_only_change_is_one_commit_and_no_rollout(
    driver: StackDriver, view: ClusterView, world: World, git_report: dict[str, Any]
) -> None:
    commits, revision, before = len(world.repo.log()), view.revision(), world.repo.head()
    driver.set_config({f"{PROJECT}:cron.enabled": False})

    with watched(view, world) as timeline:
        driver.up("up (git mode, cron.enabled false)")

    assert len(world.repo.log()) == commits + 1
    then.rollouts_since(view, revision, 0)
    assert then.live_section(view)["enabled"] is False
    git_report["push_to_live_s"].append(push_to_live(timeline, before, "enabled", False))


def test_git_mode_refresh_plan_and_verify_after_a_token_pasted_into_git(
    driver: StackDriver, view: ClusterView, world: World, tmp_path: Path
) -> None:
    """Someone pastes a literal token into the section in Git (issue 30, items 1 and 2): refresh
    reports the drift (stored masked: the secrets scan searches the state), the offline plan
    and verify run on the stack (verify: the gitops hop fails); the next `up` restores it."""
    placeholder = json.dumps(f"${{{ENV_NAME}}}")
    text = world.repo.read(CONFIGMAP_FILE)
    assert text.count(placeholder) == 1, text
    world.repo.commit(
        {CONFIGMAP_FILE: text.replace(placeholder, json.dumps(LITERAL_TOKEN))},
        "hand edit: a token pasted into the cron section",
    )

    assert changes(driver.refresh("refresh (git mode, a literal token in Git)")) == 1

    stack_file = driver.project / f"Pulumi.{driver.stack.name}.yaml"
    plan = ["tools.plan", "--stack-file", str(stack_file), "--out", str(tmp_path / "plan")]
    assert RECORDER.tool("git", plan, driver.env).returncode == 0
    verify = ["tools.verify", "--stack", driver.stack.name, "--project-dir", str(driver.project)]
    run = RECORDER.tool("git", [*verify, "--json"], driver.env_of("verify"))
    assert run.returncode == 1, run.stdout + run.stderr
    hops = {hop["name"]: hop["status"] for hop in json.loads(run.stdout)["hops"]}
    assert hops["gitops"] != "ok", hops
    RECORDER.capture_cluster(view.api_client, "git mode, stack up, a literal token in Git")


def test_an_unrelated_commit_between_preview_and_up_is_kept(
    driver: StackDriver, view: ClusterView, world: World
) -> None:
    driver.set_config({f"{PROJECT}:cron.sessionRetention": "3d"})
    assert changes(driver.preview("preview (git mode, sessionRetention 3d)")) == 1
    theirs = world.repo.commit({"README.md": "# GitOps repo of the e2e\n"}, "docs: a README")

    driver.up("up (git mode, after someone else's commit)")

    assert world.repo.read("README.md") == "# GitOps repo of the e2e\n"
    log = world.repo.log()
    assert log[1].startswith(theirs[:7]), log
    assert then.live_section(view)["sessionRetention"] == "3d"


GH006 = "GH006: Protected branch update failed for refs/heads/main."


@contextmanager
def protected(repo: GitRemote, pushes: Path) -> Iterator[None]:
    """The branch protected as GitHub protects it: a pre-receive hook that records each push
    it is offered and refuses it; removed afterwards, so the world's later commits land."""
    hook = repo.bare / "hooks" / "pre-receive"
    hook.write_text(f"#!/bin/sh\ncat >> '{pushes}'\necho '{GH006}' >&2\nexit 1\n")
    hook.chmod(0o755)
    try:
        yield
    finally:
        hook.unlink()


def test_git_mode_up_to_a_protected_branch_fails_before_waiting_saying_why(
    driver: StackDriver,
    view: ClusterView,
    world: World,
    tmp_path: Path,
    git_report: dict[str, Any],
) -> None:
    """Issue 29, item 4: the server refuses the push; up fails at once (one push, no wait),
    with git's remote: line, the repository and branch, and the two ways out."""
    before, revision = world.repo.head(), view.revision()
    driver.set_config({f"{PROJECT}:cron.sessionRetention": "4d"})
    pushes = tmp_path / "pushes"
    started = time.monotonic()

    with protected(world.repo, pushes), pytest.raises(auto.CommandError) as raised:
        driver.up("up (git mode, the branch protected)")

    git_report["protected_branch_up_s"] = round(time.monotonic() - started, 1)
    said = " ".join(str(raised.value).split())  # the CLI indents a diagnostic's lines
    for words in (
        f"The server refused the push to {CONFIGMAP_FILE} (branch main of {world.repo.url}): "
        "[remote rejected] (pre-receive hook declined). Nothing was pushed",
        f"git said: remote: {GH006} Repository {world.repo.url}, branch main:",
        "a deploy key with write access that the branch's protection lets through",
        "another branch that your GitOps controller tracks",
        "`pulumi config set --path 'openclaw-cron-webhook:section.git.branch' <branch>`",
    ):
        assert words in said, said
    assert "pushed commit" not in said  # the provider failed before its wait
    assert len(pushes.read_text().splitlines()) == 1  # no retry
    assert world.repo.head() == before
    then.rollouts_since(view, revision, 0)
    assert then.live_section(view)["sessionRetention"] == "3d"
    git_report["protected_branch_error"] = [
        line.strip() for line in str(raised.value).splitlines() if "remote:" in line
    ]
    driver.set_config({f"{PROJECT}:cron.sessionRetention": "3d"})  # the stack as it is


def test_git_mode_destroy_restores_the_file_byte_for_byte_and_the_world(
    driver: StackDriver,
    view: ClusterView,
    world: World,
    seeded: dict[str, Any],
    git_report: dict[str, Any],
) -> None:
    before = world.repo.head()

    with watched(view, world) as timeline:
        driver.destroy("destroy (git mode)")

    git_report["push_to_live_s"].append(push_to_live(timeline, before, "section_present", False))
    restored = world.repo.read(CONFIGMAP_FILE) == configmap_manifest_text()
    git_report["repo_file_restored"] = restored
    git_report["log"] = world.repo.log()
    git_report["push_to_live_median_s"] = statistics.median(git_report["push_to_live_s"])
    assert restored
    wait_for("the old Secret collected", lambda: view.env_secret(ENV_NAME) is None)
    then.world_as_seeded(view, seeded)
    then.argo_cd_synced_and_healthy(world, view, world.repo.head())


@pytest.fixture(scope="module")
def seeded(world: World) -> dict[str, Any]:
    return world.seeded
