"""The section-only rollback (`section.present: false`): what OpenClaw 2026.9.6 does when the
gateway runs on a document with no `cron` section, the env variable still set. Measured here so
that the plan's and the runbook's words about it are a test, not a guess.

Observed: the scheduler runs on its defaults (`cron status` enabled, a next wake for a
scheduled job); a job set to webhook delivery still runs, and its result is not delivered to
a loopback receiver: the SSRF guard, without the section's `webhookSsrfPolicy`, blocks it.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator

import pytest

from e2e.harness.openclaw_gateway import Gateway, running
from e2e.harness.openclaw_home import OpenClawHome
from e2e.harness.webhook_receiver import WebhookReceiver
from openclaw_runtime.install import OpenClawInstall
from real_openclaw.stack_documents import ENV_NAME, plan_document
from stages.section.document import remove_section

ALLOW_LOOPBACK = {"webhookSsrfPolicy": {"allowedHostnames": ["127.0.0.1"]}}
BLOCKED = "Blocked hostname or private/internal/special-use IP address"


@pytest.fixture(scope="module")
def gateway(
    openclaw: OpenClawInstall, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Gateway]:
    """A gateway started on the stack's document with the section taken out, as the next
    `up` with `section.present: false` leaves it."""
    root = tmp_path_factory.mktemp("no-section")
    written = plan_document(root / "plan", "allow-loopback", ALLOW_LOOPBACK)
    document = remove_section(written, "cron", context="plan document")
    assert "cron" not in json.loads(document)
    home = OpenClawHome(openclaw, root / "openclaw", {ENV_NAME: secrets.token_hex(32)})
    with running(home, secrets.token_hex(16), document) as gateway:
        yield gateway


def test_the_scheduler_runs_on_its_defaults(gateway: Gateway) -> None:
    gateway.add_webhook_job("scheduled", "http://127.0.0.1:9/scheduled")
    status = gateway.cli("cron", "status")
    assert status["enabled"] is True
    assert isinstance(status["nextWakeAtMs"], int)


def test_a_webhook_job_runs_but_is_not_delivered(gateway: Gateway) -> None:
    with WebhookReceiver() as receiver:
        job_id = gateway.add_webhook_job("no-section", receiver.url("/no-section"))
        entry = gateway.run_job(job_id)
        assert (entry["status"], entry["deliveryStatus"]) == ("ok", "not-delivered")
        assert entry["deliveryError"] == BLOCKED
        time.sleep(2)  # a late POST would land here
        assert receiver.requests == []
