"""Least privilege, the other direction (issue 29, item 3): without one rule of what
`./bin/permissions` prints, the step that needs it fails, with the error its user reads.

test_scenarios and test_git_mode run every operation by role with exactly the printed rules,
which shows they are enough. Here one stack ("e2e-lp", cluster mode) is run by roles too, and a
sample of the rules is taken away one at a time, each from the role and before the step that
needs it, then given back. The sample covers each role and each kind of rule: a Kubernetes verb
(the API server's RBAC) and an IAM action (moto's access control), on a read and on a write.
Each sample is recorded in report.json (`permissions.samples`): the rule, the step, the exit and
the first error the user reads.

The world keeps Argo CD tracking the ConfigMap; the stack writes into it anyway
(`section.writeTrackedConfigMap`), as test_verify does: what Argo CD does with the section is
not what this module is about.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from e2e.harness.cli_output import CliFailure, cli_failure
from e2e.harness.control_plane import ControlPlane
from e2e.harness.given import PARAMETER, PROJECT, new_stack
from e2e.harness.grants import Grants, less_one_rule, run_by_roles
from e2e.harness.observe import ClusterView
from e2e.harness.stack_driver import ROOT, Report, StackDriver
from e2e.harness.world import World
from e2e.harness.world import snapshot as world_snapshot

pytestmark = pytest.mark.e2e

STACK = "e2e-lp"
# The API server's and moto's words for a refusal.
FORBIDDEN = 'is forbidden: User "openclaw-cron-webhook-{role}" cannot {verb} resource "{resource}"'
DENIED = (
    "AccessDeniedException) when calling the {call} operation: User: "
    "arn:aws:iam::123456789012:user/openclaw-cron-webhook-{role} is not authorized to perform: "
    "ssm:{call} on resource: arn:aws:ssm:ap-northeast-1:123456789012:parameter{parameter}"
)


@pytest.fixture(scope="module")
def view(control_plane: ControlPlane) -> Iterator[ClusterView]:
    with control_plane.api_client() as api_client:
        yield ClusterView(api_client)


@pytest.fixture(scope="module")
def samples(e2e_report: Report) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = e2e_report.permissions.setdefault("samples", [])
    return found


@pytest.fixture(scope="module")
def driver(
    control_plane: ControlPlane, go_bin_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StackDriver]:
    work = tmp_path_factory.mktemp("pulumi-lp")
    stack = new_stack(work, go_bin_dir, STACK, control_plane, control_plane.kubeconfig)
    stack.set_config(
        {
            "aws:region": control_plane.region,
            f"{PROJECT}:section.writeTrackedConfigMap": True,
        }
    )
    run_by_roles(stack, control_plane, control_plane.kubeconfig)
    yield stack
    if stack.outputs():  # a step failed before destroy: the next module needs the seeded world
        stack.roles = {}
        stack.destroy("cleanup: destroy (least privilege)")
    stack.remove()


@pytest.fixture(scope="module")
def full(driver: StackDriver) -> Grants:
    """Everything printed for the stack, as run_by_roles grants it."""
    return Grants.printed(driver.stack_file)


def failing(run: Callable[[], Any]) -> CliFailure:
    """The Pulumi operation fails: its exit and the first error the user reads."""
    with pytest.raises(auto.CommandError) as raised:
        run()
    return cli_failure(raised.value)


def recorded(
    samples: list[dict[str, Any]], less: Grants, step: str, exit_code: int | None, error: str
) -> None:
    samples.append({"removed": less.removed, "step": step, "exit": exit_code, "error": error})
    print(f"  without {less.removed}: {step} exits {exit_code}: {error}", flush=True)


def verify(driver: StackDriver) -> tuple[int, dict[str, Any]]:
    """`./bin/verify --json` by the verify role: exit and document."""
    command = [sys.executable, "-m", "tools.verify", "--stack", STACK]
    command += ["--project-dir", str(driver.project), "--json"]
    done = subprocess.run(
        command, cwd=ROOT, env=driver.env_of("verify"), capture_output=True, text=True, check=False
    )
    document: dict[str, Any] = json.loads(done.stdout)
    return done.returncode, document


def test_the_deployer_without_put_parameter_cannot_create_the_parameter(
    driver: StackDriver, control_plane: ControlPlane, full: Grants, samples: list[dict[str, Any]]
) -> None:
    less = full.without_action("deployer", "ssm:PutParameter")
    with less_one_rule(driver, control_plane, less):
        failure = failing(lambda: driver.up("up (without ssm:PutParameter)"))
    expected = DENIED.format(role="deployer", call="PutParameter", parameter=PARAMETER)
    assert expected in failure.text, failure.text
    recorded(samples, less, "pulumi up", failure.exit, failure.first_error)
    driver.up("up (the rule given back)")


def test_verify_without_get_secrets_cannot_read_the_synced_value(
    driver: StackDriver, control_plane: ControlPlane, full: Grants, samples: list[dict[str, Any]]
) -> None:
    exit_code, document = verify(driver)
    secret = next(h for h in document["hops"] if h["name"] == "secret")
    assert secret["status"] == "ok", secret
    less = full.without_verb("verify", "secrets", "get")
    with less_one_rule(driver, control_plane, less):
        exit_code, document = verify(driver)
    secret = next(h for h in document["hops"] if h["name"] == "secret")
    assert exit_code != 0
    assert secret["status"] != "ok", secret
    said = f"{secret['summary']} {secret.get('cause', '')}"
    assert "forbidden" in said.lower(), secret
    recorded(samples, less, "./bin/verify --json", exit_code, said)


def test_preview_without_get_configmaps_cannot_refresh_the_section(
    driver: StackDriver, control_plane: ControlPlane, full: Grants, samples: list[dict[str, Any]]
) -> None:
    less = full.without_verb("preview", "configmaps", "get")
    with less_one_rule(driver, control_plane, less):
        failure = failing(
            lambda: driver.preview("preview --refresh (without get configmaps)", refresh=True)
        )
    expected = FORBIDDEN.format(role="preview", verb="get", resource="configmaps")
    assert expected in failure.text, failure.text
    recorded(samples, less, "pulumi preview --refresh", failure.exit, failure.first_error)


def test_preview_without_get_parameter_cannot_refresh_the_parameter(
    driver: StackDriver, control_plane: ControlPlane, full: Grants, samples: list[dict[str, Any]]
) -> None:
    less = full.without_action("preview", "ssm:GetParameter")
    with less_one_rule(driver, control_plane, less):
        failure = failing(
            lambda: driver.preview("preview --refresh (without ssm:GetParameter)", refresh=True)
        )
    expected = DENIED.format(role="preview", call="GetParameter", parameter=PARAMETER)
    assert expected in failure.text, failure.text
    recorded(samples, less, "pulumi preview --refresh", failure.exit, failure.first_error)


def test_the_deployer_without_patch_deployments_cannot_take_the_env_entry_away(
    driver: StackDriver,
    control_plane: ControlPlane,
    full: Grants,
    samples: list[dict[str, Any]],
    view: ClusterView,
    world: World,
) -> None:
    less = full.without_verb("deployer", "deployments", "patch")
    with less_one_rule(driver, control_plane, less):
        failure = failing(lambda: driver.destroy("destroy (without patch deployments)"))
    expected = FORBIDDEN.format(role="deployer", verb="patch", resource="deployments")
    assert expected in failure.text, failure.text
    recorded(samples, less, "pulumi destroy", failure.exit, failure.first_error)
    driver.destroy("destroy (the rule given back)")
    assert world_snapshot(view.api_client) == world.seeded
