"""One real gateway, started on the document the stack writes: the token reaches a receiver as
`Authorization: Bearer <token>`, and the config-only rollbacks apply hot, without a restart.

One gateway serves the whole module (a start takes ~25 s); each test first puts back the
document it starts from, so the tests do not depend on their order.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from e2e.harness.openclaw_gateway import LISTENING, Gateway, running
from e2e.harness.openclaw_home import OpenClawHome
from e2e.harness.webhook_receiver import WebhookReceiver
from openclaw_runtime.install import OpenClawInstall
from real_openclaw.stack_documents import ENV_NAME, plan_document
from stages.section.document import json_equal, remove_section

# The stack config of a user whose receiver is on loopback: OpenClaw's SSRF guard blocks
# private addresses unless the section's webhookSsrfPolicy allows them.
ALLOW_LOOPBACK = {"webhookSsrfPolicy": {"allowedHostnames": ["127.0.0.1"]}}
BLOCKED = "Blocked hostname or private/internal/special-use IP address"


class Scene:
    """The module's gateway, its receiver and the documents the stack writes."""

    def __init__(
        self,
        gateway: Gateway,
        receiver: WebhookReceiver,
        token: str,
        documents: dict[str, str],
    ) -> None:
        self.gateway = gateway
        self.receiver = receiver
        self.token = token
        self.documents = documents
        self._jobs = 0

    def put_back(self, document: str) -> None:
        """Makes `document` the gateway's document (waiting for its reload) unless it is."""
        if not json_equal(json.loads(self.gateway.document()), json.loads(document)):
            self.gateway.rewrite(document)

    def add_job(self, path: str) -> str:
        self._jobs += 1
        return self.gateway.add_webhook_job(f"delivery-{self._jobs}", self.receiver.url(path))


@pytest.fixture(scope="module")
def scene(
    openclaw: OpenClawInstall,
    tmp_path_factory: pytest.TempPathFactory,
    measure: Callable[[str, str], None],
) -> Iterator[Scene]:
    root = tmp_path_factory.mktemp("gateway")
    token = secrets.token_hex(32)
    documents = {
        "allow-loopback": plan_document(root / "plan-a", "allow-loopback", ALLOW_LOOPBACK),
        "disabled": plan_document(
            root / "plan-b", "disabled", {**ALLOW_LOOPBACK, "enabled": False}
        ),
    }
    home = OpenClawHome(openclaw, root / "openclaw", {ENV_NAME: token})
    with (
        WebhookReceiver() as receiver,
        running(home, secrets.token_hex(16), documents["allow-loopback"]) as gateway,
    ):
        measure("gateway start (to 'http server listening')", f"{gateway.started_s:.1f} s")
        yield Scene(gateway, receiver, token, documents)


def test_a_cron_result_arrives_with_exactly_the_bearer_token(scene: Scene) -> None:
    scene.put_back(scene.documents["allow-loopback"])
    job_id = scene.add_job("/delivered")
    entry = scene.gateway.run_job(job_id)
    assert (entry["status"], entry["deliveryStatus"]) == ("ok", "delivered")
    request = scene.receiver.wait_for("/delivered", timeout=10)
    assert request.method == "POST"
    assert request.header("Authorization") == [f"Bearer {scene.token}"]
    body = json.loads(request.body)
    assert (body["jobId"], body["action"], body["status"]) == (job_id, "finished", "ok")
    # The token travels in the header only.
    assert scene.token not in request.body.decode()


def _reload(scene: Scene, document: str) -> float:
    """Writes the document; asserts the gateway applied it hot, in the same process."""
    pid = scene.gateway.pid
    since = scene.gateway.log_size()
    delay = scene.gateway.rewrite(document)
    assert scene.gateway.alive()
    assert scene.gateway.pid == pid
    assert LISTENING not in scene.gateway.log()[since:], "the gateway restarted"
    return delay


def test_removing_the_section_applies_hot_and_the_next_run_is_blocked(
    scene: Scene, measure: Callable[[str, str], None]
) -> None:
    """What `pulumi destroy` does to the document. Without the section, OpenClaw's SSRF guard
    is back to its default and the placeholder is gone: the next run still runs (the
    scheduler stays enabled) but its result is not delivered to the loopback receiver."""
    scene.put_back(scene.documents["allow-loopback"])
    job_id = scene.add_job("/after-removal")
    current = Path(scene.gateway.home.config_path).read_text()
    delay = _reload(scene, remove_section(current, "cron", context="gateway document"))
    measure("hot reload after removing the section", f"{delay:.2f} s")
    assert "cron" not in json.loads(scene.gateway.document())
    entry = scene.gateway.run_job(job_id)
    assert (entry["status"], entry["deliveryStatus"]) == ("ok", "not-delivered")
    assert entry["deliveryError"] == BLOCKED
    assert scene.receiver.received("/after-removal") == []


def test_disabling_the_scheduler_applies_hot_and_a_forced_run_still_delivers(
    scene: Scene, measure: Callable[[str, str], None]
) -> None:
    """`cron.enabled: false` stops the schedule (no next wake) without a restart; a run
    forced with `openclaw cron run` still runs and is delivered with the token."""
    scene.put_back(scene.documents["allow-loopback"])
    job_id = scene.add_job("/while-disabled")
    assert scene.gateway.cli("cron", "status")["enabled"] is True
    delay = _reload(scene, scene.documents["disabled"])
    measure("hot reload after enabled: false", f"{delay:.2f} s")
    status = scene.gateway.cli("cron", "status")
    assert (status["enabled"], status["nextWakeAtMs"]) == (False, None)
    entry = scene.gateway.run_job(job_id)
    assert (entry["status"], entry["deliveryStatus"]) == ("ok", "delivered")
    request = scene.receiver.wait_for("/while-disabled", timeout=10)
    assert request.header("Authorization") == [f"Bearer {scene.token}"]
