"""The section is written but the pod lacks the token's variable (the env entry is missing or
its Secret key is absent): what OpenClaw 2026.9.6 does, held here so that a version that
behaves differently fails a test instead of surprising the runbook.

Observed with 2026.9.6: the document still validates (a warning names the variable), the
gateway starts and marks the cron webhook secret unavailable, jobs still run, and their
results are NOT delivered; no request with a literal `${VAR}` or an empty bearer is sent.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from e2e.harness.openclaw_gateway import Gateway, running
from e2e.harness.openclaw_home import OpenClawHome
from e2e.harness.webhook_receiver import WebhookReceiver
from openclaw_runtime.install import OpenClawInstall
from real_openclaw.stack_documents import ENV_NAME, plan_document

ALLOW_LOOPBACK = {"webhookSsrfPolicy": {"allowedHostnames": ["127.0.0.1"]}}
MISSING = f'Missing env var "{ENV_NAME}" - feature using this value will be unavailable'
UNAVAILABLE_AT_START = (
    "[SECRETS_OWNER_UNAVAILABLE] Secret owner capability:cron-webhook is configured-unavailable;"
    " paths: cron.webhookToken; reason: secret reference was not found."
)
UNAVAILABLE_AT_DELIVERY = (
    "Secret owner capability:cron-webhook is configured but unavailable "
    "(secret reference was not found)."
)


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> str:
    return plan_document(tmp_path_factory.mktemp("plan"), "allow-loopback", ALLOW_LOOPBACK)


@pytest.fixture(scope="module")
def home(openclaw: OpenClawInstall, tmp_path_factory: pytest.TempPathFactory) -> OpenClawHome:
    """An OpenClaw whose environment lacks the token's variable (isolated_env drops every
    inherited OPENCLAW_* variable)."""
    home = OpenClawHome(openclaw, tmp_path_factory.mktemp("no-token") / "openclaw")
    assert ENV_NAME not in home.env
    return home


@pytest.fixture(scope="module")
def gateway(
    home: OpenClawHome, document: str, measure: Callable[[str, str], None]
) -> Iterator[Gateway]:
    with running(home, secrets.token_hex(16), document) as gateway:
        measure("gateway start without the token variable", f"{gateway.started_s:.1f} s")
        yield gateway


def test_validate_accepts_the_document_and_warns_about_the_variable(
    home: OpenClawHome, document: str, tmp_path: Path
) -> None:
    verdict = OpenClawHome(home.install, tmp_path / "validate", {}).validate(document)
    assert (verdict.valid, verdict.issues) == (True, [])
    assert {"path": "cron.webhookToken", "message": MISSING} in verdict.warnings


def test_the_gateway_starts_and_marks_the_webhook_secret_unavailable(gateway: Gateway) -> None:
    assert gateway.alive()
    assert UNAVAILABLE_AT_START in gateway.log()


def test_a_run_still_runs_but_its_result_is_not_delivered(gateway: Gateway) -> None:
    with WebhookReceiver() as receiver:
        entry = gateway.run_job(gateway.add_webhook_job("no-token", receiver.url("/no-token")))
        assert (entry["status"], entry["deliveryStatus"]) == ("ok", "not-delivered")
        assert entry["deliveryError"] == UNAVAILABLE_AT_DELIVERY
        time.sleep(2)  # a late POST would land here
        assert receiver.requests == []
