# ruff: noqa: E501 - the CLI output below is verbatim, its long lines included
"""How the fault scenarios read the CLI's output (e2e/harness/cli_output.py): the exit code and the first
error a user reads, in the three shapes the real CLI (v3.274.1) prints them. The texts are cut
from real runs of e2e/scenarios/test_faults.py."""

from __future__ import annotations

from pulumi import automation as auto
from pulumi.automation._cmd import CommandResult

from e2e.harness.cli_output import cli_failure, first_error

STACK_BLOCK = """
  pulumi:pulumi:Stack (openclaw-cron-webhook-faults):
    warning: using pulumi-resource-aws from $PATH at /work/main/e2e/standins/bin/pulumi-resource-aws
    error: update failed
    error: Resource monitor has terminated, shutting down
"""
TRACEBACK = (
    "Updating (faults):\n"
    " +  pulumi-python:dynamic/openclaw:EnvEntry openclaw-cron-webhook-env creating (46s) error: "
    "Traceback (most recent call last):\n"
    "Diagnostics:\n"
    + STACK_BLOCK
    + """
  pulumi-python:dynamic/openclaw:EnvEntry (openclaw-cron-webhook-env):
    error: Traceback (most recent call last):
      File "/p/stages/env_entry/rollout.py", line 105, in wait_until
        raise RolloutFailed(f"gave up after {timeout:.0f} s: {waiting_for}")
    stages.env_entry.rollout.RolloutFailed: gave up after 45 s: Deployment openclaw/openclaw: 0 of 1 updated replicas available

    The above exception was the direct cause of the following exception:

    Traceback (most recent call last):
      File "/venv/pulumi/dynamic/__main__.py", line 170, in Create
        result = provider.create(props)
    stages.env_entry.rollout.RolloutFailed: gave up after 45 s: Deployment openclaw/openclaw: 0 of 1 updated replicas available
    The env entry OPENCLAW_CRON_WEBHOOK_TOKEN was taken back out of Deployment openclaw/openclaw container openclaw.

Outputs:
    envName: "OPENCLAW_CRON_WEBHOOK_TOKEN"
"""
)
KUBERNETES = (
    """Diagnostics:
  kubernetes:external-secrets.io/v1:ExternalSecret (cron-webhook):
    error: 1 error occurred:
    \t* resource "urn:pulumi:faults::p::kubernetes:external-secrets.io/v1:ExternalSecret::cron-webhook" was successfully created, but the Kubernetes API server reported that it failed to fully initialize or become live: timed out waiting for the condition
"""
    + STACK_BLOCK
)


def test_a_resource_error_comes_before_the_stack_summary() -> None:
    assert first_error(KUBERNETES) == (
        'error: 1 error occurred: * resource "urn:pulumi:faults::p::kubernetes:external-secrets.io'
        '/v1:ExternalSecret::cron-webhook" was successfully created, but the Kubernetes API '
        "server reported that it failed to fully initialize or become live: timed out waiting "
        "for the condition"
    )


def test_a_traceback_is_read_from_its_last_exception() -> None:
    assert first_error(TRACEBACK) == (
        "error: stages.env_entry.rollout.RolloutFailed: gave up after 45 s: Deployment "
        "openclaw/openclaw: 0 of 1 updated replicas available"
    )


def test_a_failed_previews_traceback_keeps_its_head() -> None:
    """A dynamic provider's read in `preview --refresh` fails as "Preview failed: Traceback…"."""
    previewed = TRACEBACK.replace(
        "    error: Traceback (most recent call last):",
        "    error: Preview failed: Traceback (most recent call last):",
    )

    assert first_error(previewed) == (
        "error: Preview failed: stages.env_entry.rollout.RolloutFailed: gave up after 45 s: "
        "Deployment openclaw/openclaw: 0 of 1 updated replicas available"
    )


def test_only_the_stack_summary_when_no_resource_failed() -> None:
    assert first_error("Diagnostics:" + STACK_BLOCK) == "error: update failed"


def test_the_exit_code_is_read_from_the_automation_api_error() -> None:
    error = auto.CommandError(CommandResult(stdout=KUBERNETES, stderr="", code=8))

    failure = cli_failure(error)

    assert (failure.exit, failure.first_error) == (8, first_error(KUBERNETES))
    assert failure.text.startswith("\n code: 8\n stdout: Diagnostics:")


def test_without_diagnostics_the_first_error_line_is_read_from_its_error() -> None:
    locked = (
        "\n code: 255\n stdout: \n stderr: error: the stack is currently locked by 1 lock(s). "
        "Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`."
    )

    assert first_error(locked) == (
        "error: the stack is currently locked by 1 lock(s). Either wait for the other "
        "process(es) to end or delete the lock file with `pulumi cancel`."
    )
