"""Given: the stack a scenario starts from, and the names of the token path it expects.

Why a module: the scenario modules each drive a stack of this one project on the same control
plane, and expect the same parameter, env entry and field manager (the stack's defaults, stated
here as what the scenarios hold the product to, not read from it). Stated once, a scenario's
given reads as what differs: its stack's name, its kubeconfig and its config.
"""

from __future__ import annotations

from pathlib import Path

from e2e.harness.control_plane import ControlPlane
from e2e.harness.secrets_scan import RECORDER
from e2e.harness.stack_driver import StackDriver

PROJECT = "openclaw-cron-webhook"
PARAMETER = "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
ENV_NAME = "OPENCLAW_CRON_WEBHOOK_TOKEN"


def field_manager(stack: str) -> str:
    """The field manager a stack of this project writes its env entry with: its own."""
    return f"{PROJECT}/{stack}"


def new_stack(
    work: Path, go_bin_dir: Path, name: str, control_plane: ControlPlane, kubeconfig: Path
) -> StackDriver:
    """A new stack of the project in `work`, reaching the cluster through `kubeconfig` and AWS
    through moto (with the fake keys moto accepts), as a user's shell would point the CLI, with
    git's credentials in it as a user would give them."""
    return StackDriver.create(
        work,
        go_bin_dir,
        name,
        {
            "KUBECONFIG": str(kubeconfig),
            "AWS_ENDPOINT_URL": control_plane.moto_endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_REGION": control_plane.region,
            # The secret access key and git's credentials are canaries (e2e.harness.secrets_scan).
            **RECORDER.stack_env(),
        },
    )
