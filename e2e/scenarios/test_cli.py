"""The Pulumi CLI as a person types it (issue 20): `pulumi preview --policy-pack policy`, `up`,
`refresh`, `destroy`, in a copy of the project folder, on a file backend with a passphrase.

Nothing here goes through the Automation API's inline program: the CLI reads Pulumi.yaml's
runtime options and starts `__main__.py` through the language host beside it (the named
stand-in, e2e/harness/standins/language_host), and the policy pack runs as the engine's real
analyzer
(through the host's RunPlugin). The preview's options are CI's
(`e2e.harness.pr_preview.PR_PREVIEW`, held equal to .github/workflows/deploy.yml by
tests/test_pr_preview.py). A fixture program that breaks a mandatory rule makes that same
command fail, naming the rule.

The world is owned by a real Argo CD that tracks the ConfigMap, so the stack chooses
`section.writeTrackedConfigMap: true` and the Application carries the ignoreDifferences stanza
the refusal prints (as in test_scenarios), for the section to stay. Each step is one test, in
order, on one stack ("e2e-cli"); each asserts the cluster and moto directly. The CLI's times
go to report.json (`cli.operations`), next to the Automation API's (`operations`).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from kubernetes import client, config

from e2e.harness import cli_output
from e2e.harness.gitops_observe import env_entry_owners
from e2e.harness.observe import ClusterView, ssm_parameter, wait_for
from e2e.harness.pr_preview import PR_PREVIEW
from e2e.harness.stack_driver import ROOT, STANDIN_DIR, CliRun, Report, StackDriver, run_command
from e2e.harness.world import (
    APPLICATION,
    CONFIGMAP,
    DOCUMENT_KEY,
    NAMESPACE,
    World,
    put_application,
)
from e2e.harness.world import snapshot as world_snapshot
from stages.section.document import add_section, read_section, set_section
from stages.section.tracking import ignore_differences_stanza

if TYPE_CHECKING:
    from e2e.conftest import StackKeeper

pytestmark = pytest.mark.e2e

STACK = "e2e-cli"
PROJECT = "openclaw-cron-webhook"
PARAMETER = "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
ENV_NAME = "OPENCLAW_CRON_WEBHOOK_TOKEN"
FIELD_MANAGER = f"openclaw-cron-webhook/{STACK}"  # the env entry's: the stack's own
PACK = "openclaw-cron-webhook-guardrails"
VIOLATION = ROOT / "e2e" / "fixtures" / "policy_violation"
# The custom resources of Phase 2, as the CLI displays their types.
PHASE2 = {
    ("pulumi-python:dynamic/openclaw:RotationGuard", "cron-webhook-token-rotation"),
    ("random:index:RandomBytes", "cron-webhook-token"),
    ("aws:ssm:Parameter", "cron-webhook-token"),
    ("kubernetes:external-secrets.io/v1:ExternalSecret", "cron-webhook"),
    ("pulumi-python:dynamic/openclaw:EnvEntry", "openclaw-cron-webhook-env"),
    ("pulumi-python:dynamic/openclaw:JsonSection", "openclaw-cron-section"),
}


def language_host(bin_dir: Path) -> str:
    """ "stand-in" while the launcher beside `pulumi` is ours, else "real"."""
    host = (bin_dir / "pulumi-language-python").resolve()
    return "stand-in" if host.is_relative_to(STANDIN_DIR.parent) else "real"


@pytest.fixture(scope="module")
def view(control_plane: Any) -> Iterator[ClusterView]:
    api_client = config.new_client_from_config(config_file=str(control_plane.kubeconfig))
    yield ClusterView(api_client)
    api_client.close()


@pytest.fixture(scope="module")
def ssm(control_plane: Any) -> Any:
    return control_plane.ssm_client()


@pytest.fixture(scope="module")
def seeded(world: World) -> dict[str, Any]:
    """The world before Phase 2, read back right after seeding: what destroy must restore."""
    return world.seeded


@pytest.fixture(scope="module")
def ignoring_application(view: ClusterView, world: World) -> Iterator[None]:
    """The Application with the printed ignoreDifferences stanza; the reference one after."""
    stanza = yaml.safe_load(ignore_differences_stanza(NAMESPACE, CONFIGMAP, DOCUMENT_KEY))
    put_application(world, view.api_client, stanza["spec"])
    yield
    put_application(world, view.api_client, {})


@pytest.fixture(scope="module")
def driver(
    control_plane: Any,
    go_bin_dir: Path,
    stack_keeper: StackKeeper,
    e2e_report: Report,
    ignoring_application: None,
) -> Iterator[StackDriver]:
    work = stack_keeper.work("cli")
    stack = StackDriver.create(work, go_bin_dir, STACK, control_plane.env())
    stack.set_config(
        {
            "aws:region": control_plane.region,
            f"{PROJECT}:section.writeTrackedConfigMap": True,
        }
    )
    e2e_report.cli.update(language_host=language_host(go_bin_dir), operations=[])
    yield stack
    stack_keeper.done(STACK, stack.keep_lines(), stack.remove)


def typed(driver: StackDriver, e2e_report: Report, name: str, *args: str) -> CliRun:
    """`pulumi ARGS` in the project folder; timed into report.json's `cli.operations`."""
    run = run_command(["pulumi", *args], driver.env, driver.project / PR_PREVIEW.work_dir)
    e2e_report.cli["operations"].append(
        {
            "name": name,
            "command": " ".join(["pulumi", *args]),
            "exit": run.exit,
            "seconds": round(run.seconds, 2),
        }
    )
    return run


def live_cron(view: ClusterView) -> dict[str, Any]:
    present, section = read_section(view.document(), "cron", context="live")
    assert present
    assert isinstance(section, dict)
    return section


def test_the_pr_preview_runs_the_policy_pack_as_an_analyzer_and_it_passes(
    driver: StackDriver, view: ClusterView, seeded: dict[str, Any], e2e_report: Report
) -> None:
    run = typed(driver, e2e_report, "preview --policy-pack (new stack)", *PR_PREVIEW.argv(STACK))

    assert run.exit == 0, run.output
    assert re.search(rf"✅ {PACK}@v\S+ \(local: {PR_PREVIEW.policy_packs[0]}\)", run.stdout)
    assert "[mandatory]" not in run.output
    assert "[advisory]" not in run.output
    # The pack ran in its own process, started by the language host's RunPlugin.
    assert "starting policy pack" in run.output
    created = {
        (kind, name) for step, kind, name in cli_output.steps(run.stdout) if step == "create"
    }
    assert created >= PHASE2
    assert {step for step, _, _ in cli_output.steps(run.stdout)} == {"create"}
    e2e_report.cli["policy_pack"] = "analyzer"
    assert world_snapshot(view.api_client) == seeded


def test_the_same_preview_fails_naming_the_policy_a_program_breaks(
    driver: StackDriver, control_plane: Any, ssm: Any, tmp_path: Path, e2e_report: Report
) -> None:
    """e2e/fixtures/policy_violation: a token-shaped value in a plain String parameter."""
    project = tmp_path / "policy_violation"
    shutil.copytree(VIOLATION, project)
    settings = project / "Pulumi.yaml"
    document = yaml.safe_load(settings.read_text())
    document["runtime"]["options"]["virtualenv"] = str(ROOT / ".venv")
    settings.write_text(yaml.safe_dump(document, sort_keys=False))

    def pulumi(*args: str) -> CliRun:
        return run_command(["pulumi", *args], driver.env, project)

    assert pulumi("stack", "init", "violation").exit == 0
    assert pulumi("config", "set", "aws:region", control_plane.region).exit == 0
    try:
        run = pulumi(*PR_PREVIEW.argv("violation", packs_in=driver.project))
        assert run.exit != 0, run.output
        assert "[mandatory]  ssm-token-securestring" in run.stdout
        assert re.search(rf"❌ {PACK}@v\S+ \(local: ", run.stdout)
        assert ssm_parameter(ssm, "/policy-violation/OPENCLAW_CRON_WEBHOOK_TOKEN") is None
    finally:
        pulumi("stack", "rm", "--yes", "--force", "violation")


def test_up_rolls_out_phase2(
    driver: StackDriver, view: ClusterView, ssm: Any, seeded: dict[str, Any], e2e_report: Report
) -> None:
    revision = view.revision()
    run = typed(driver, e2e_report, "up", "up", "--yes")
    assert run.exit == 0, run.output
    assert cli_output.summary(run.stdout).get("create", 0) >= len(PHASE2)

    token = driver.cli("stack", "output", "webhookToken", "--show-secrets").stdout.strip()
    parameter = ssm_parameter(ssm, PARAMETER)
    assert parameter is not None
    assert (parameter["Type"], parameter["Value"]) == ("SecureString", token)
    assert re.fullmatch(r"[0-9a-f]{64}", token)
    assert view.external_secret_ready("openclaw-cron-webhook-r1")
    assert view.secret_data("openclaw-cron-webhook-r1") == {ENV_NAME: token}
    assert view.env_secret(ENV_NAME) == "openclaw-cron-webhook-r1"
    assert env_entry_owners(view.deployment(), ENV_NAME) == [FIELD_MANAGER]
    assert view.revision() == revision + 1
    assert view.rolled_out()
    section = yaml.safe_load(driver.cli("stack", "output", "cronSection", "--json").stdout)
    expected = add_section(seeded["configmap_data"][DOCUMENT_KEY], "cron", section, context="x")
    assert view.document() == expected
    assert token not in driver.state_files_text()


def test_a_second_preview_shows_no_change(driver: StackDriver, e2e_report: Report) -> None:
    run = typed(driver, e2e_report, "preview (no change)", "preview", "--expect-no-changes")
    assert run.exit == 0, run.output
    assert cli_output.changes(run.stdout) == 0


def test_refresh_finds_a_hand_edit_and_up_restores_it(
    driver: StackDriver, view: ClusterView, e2e_report: Report
) -> None:
    section = live_cron(view)
    edited = set_section(
        view.document(), "cron", {**section, "enabled": False}, context="hand edit"
    )
    client.CoreV1Api(view.api_client).patch_namespaced_config_map(
        CONFIGMAP, NAMESPACE, {"data": {DOCUMENT_KEY: edited}}
    )

    run = typed(driver, e2e_report, "refresh (after a hand edit)", "refresh", "--yes")
    assert run.exit == 0, run.output
    assert cli_output.summary(run.stdout).get("update") == 1, run.stdout
    assert live_cron(view)["enabled"] is False  # refresh reads, never writes

    run = typed(driver, e2e_report, "up (restore the section)", "up", "--yes")
    assert run.exit == 0, run.output
    assert live_cron(view) == section


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
    run = typed(driver, e2e_report, "destroy", "destroy", "--yes")
    assert run.exit == 0, run.output
    wait_for(f"Secret {secret} garbage-collected", lambda: view.secret_data(secret) is None)

    assert world_snapshot(view.api_client) == seeded
    assert ssm_parameter(ssm, PARAMETER) is None
    assert world.argocd.wait_synced(view.api_client, APPLICATION)[:2] == ("Synced", "Healthy")


def test_the_automation_api_on_the_same_stack_for_the_timings(
    driver: StackDriver, view: ClusterView, seeded: dict[str, Any], e2e_report: Report
) -> None:
    """preview, up and destroy once more through the Automation API's inline program (the
    other modules' way), same stack and world: report.json's `cli.automation_api` sits next
    to `cli.operations`, like for like."""
    timed = [driver.preview("api preview"), driver.up("api up"), driver.destroy("api destroy")]
    e2e_report.cli["automation_api"] = [
        {"name": operation.name, "seconds": round(operation.seconds, 2)}
        for operation in driver.operations
        if operation.name.startswith("api ")
    ]
    assert len(timed) == len(e2e_report.cli["automation_api"]) == 3
    secret = "openclaw-cron-webhook-r1"
    wait_for(f"Secret {secret} garbage-collected", lambda: view.secret_data(secret) is None)
    assert world_snapshot(view.api_client) == seeded


def test_the_cli_leaves_an_empty_stack_that_previews_phase2_again(
    driver: StackDriver, e2e_report: Report
) -> None:
    """What `--keep` hands over: `pulumi preview` typed in the kept folder shows Phase 2."""
    run = driver.cli("preview")
    assert run.exit == 0, run.output
    assert {(kind, name) for _, kind, name in cli_output.steps(run.stdout)} >= PHASE2
