"""The git-mode wait, from a commit to the live ConfigMap (git/delivery.py), against the fake API
server, on a fake clock whose `sleep` lets a stand-in controller act.

What matters is when the wait looks and gives up: every 2 s unless told otherwise, exactly at
the timeout however far the monotonic clock has run before, with progress notes every 30 s of
the wait; which Argo CD Application it asks to refresh; and that a live document that is not
JSON fails the wait naming the ConfigMap. The whole provider, with git: the process layer
(tests/process/test_git_section_provider.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fake_kube_api import FakeKubeApi
from kubernetes.client import ApiClient, Configuration

from stages.section.document import InvalidDocumentError
from stages.section.git.delivery import Check, Delivery, DeliveryTimeout, carries, restored
from stages.section.git.repo import CommitResult

NAMESPACE, NAME, KEY = "openclaw", "openclaw-config", "openclaw.json"
CONTEXT = f"ConfigMap {NAMESPACE}/{NAME} key {KEY}"
CRON = {"enabled": True}
DOCUMENT = '{"gateway": {"port": 18789}}'
WITH_CRON = '{"gateway": {"port": 18789}, "cron": {"enabled": true}}'
COMMIT = "c0ffee" * 6 + "c0ff"
SOURCE = "apps/cm.yaml (branch main of ssh://git@example.org/gitops.git)"
PROPS: dict[str, Any] = {
    "namespace": NAMESPACE,
    "configMap": NAME,
    "key": KEY,
    "section": "cron",
    "value": CRON,
    "deliveryTimeoutSeconds": 60,
    "application": "",
    "applicationNamespace": "argocd",
}
PUSHED = CommitResult(COMMIT, pushed=True, text="", attempts=1)


@dataclass
class FakeTime:
    """A monotonic clock that has run for a while already; `sleep` advances it, then lets the
    controller act once `deliver_at` is reached."""

    now: float = 5000.0
    sleeps: list[float] = field(default_factory=list)
    deliver_at: float | None = None
    controller: Callable[[], None] = lambda: None

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if self.deliver_at is not None and self.now >= self.deliver_at:
            self.controller()


@pytest.fixture
def cluster() -> Iterator[FakeKubeApi]:
    with FakeKubeApi() as server:
        server.add_config_map(NAMESPACE, NAME, {KEY: DOCUMENT})
        yield server


@pytest.fixture
def api_client(cluster: FakeKubeApi) -> Iterator[ApiClient]:
    client = ApiClient(Configuration(host=cluster.host))
    yield client
    client.close()


def synced(cluster: FakeKubeApi, document: str) -> Callable[[], None]:
    """The controller applying the commit: the live key becomes `document`."""
    return lambda: cluster.edit_data(NAMESPACE, NAME, KEY, lambda _: document)


def deliver(delivery: Delivery, check: Check, props: dict[str, Any] = PROPS) -> None:
    delivery.deliver(props, PUSHED, check, source=SOURCE)


@pytest.mark.parametrize(("poll_seconds", "sleeps"), [(None, [2.0] * 3), (5.0, [5.0, 5.0])])
def test_the_wait_looks_every_two_seconds_unless_told_otherwise(
    cluster: FakeKubeApi, api_client: ApiClient, poll_seconds: float | None, sleeps: list[float]
) -> None:
    time = FakeTime(deliver_at=5006.0, controller=synced(cluster, WITH_CRON))
    delivery = Delivery(lambda: api_client, poll_seconds, clock=time.clock, sleep=time.sleep)

    deliver(delivery, carries(PROPS))

    assert time.sleeps == sleeps


def test_the_wait_gives_up_exactly_at_the_timeout_and_notes_its_progress(
    api_client: ApiClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """The clock has run 5000 s before the wait starts: only the wait's own time counts."""
    time = FakeTime()
    delivery = Delivery(lambda: api_client, 2.0, clock=time.clock, sleep=time.sleep)

    with pytest.raises(DeliveryTimeout, match=r"^Commit c0ffee"):
        deliver(delivery, carries(PROPS))

    assert time.now == 5060.0  # 30 polls of 2 s: the check at 60 s fails
    assert capsys.readouterr().err.splitlines() == [
        f"openclaw-cron-webhook: pushed commit {COMMIT} to {SOURCE}.",
        "openclaw-cron-webhook: no section.git.application set: the controller picks the commit "
        "up at its next poll (Argo CD: 3 min by default).",
        f"openclaw-cron-webhook: waiting for commit {COMMIT[:12]} to reach ConfigMap "
        f'{NAMESPACE}/{NAME} (30 s of at most 60 s): {CONTEXT} has no "cron" section yet',
    ]


def test_the_refresh_is_asked_of_the_application_in_its_namespace(
    cluster: FakeKubeApi, api_client: ApiClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """No such Application here (404): the note names the one asked, and the wait goes on."""
    time = FakeTime(deliver_at=5002.0, controller=synced(cluster, WITH_CRON))
    delivery = Delivery(lambda: api_client, 2.0, clock=time.clock, sleep=time.sleep)
    props = {**PROPS, "application": "openclaw", "applicationNamespace": "gitops"}

    deliver(delivery, carries(props), props)

    (patch,) = [request for request in cluster.requests if request.method == "PATCH"]
    assert (patch.path, patch.content_type, patch.body, patch.query) == (
        "/apis/argoproj.io/v1alpha1/namespaces/gitops/applications/openclaw",
        "application/merge-patch+json",
        {"metadata": {"annotations": {"argocd.argoproj.io/refresh": "normal"}}},
        {"fieldManager": ["openclaw-cron-webhook"]},
    )
    assert "could not ask Argo CD Application gitops/openclaw to refresh (404 " in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    "check_of",
    [lambda: carries(PROPS), lambda: restored(PROPS, DOCUMENT, COMMIT)],
    ids=["after-create", "after-delete"],
)
def test_a_live_document_that_is_not_json_fails_the_wait_naming_it(
    cluster: FakeKubeApi, api_client: ApiClient, check_of: Callable[[], Check]
) -> None:
    """Broken by hand in the cluster: the wait fails at once, naming the ConfigMap and key.
    (The check is made inside the test, so mutation testing counts the test as its caller.)"""
    check = check_of()
    cluster.edit_data(NAMESPACE, NAME, KEY, lambda _: '{"cron": ')
    time = FakeTime()
    delivery = Delivery(lambda: api_client, 2.0, clock=time.clock, sleep=time.sleep)

    with pytest.raises(InvalidDocumentError) as raised:
        deliver(delivery, check)

    assert str(raised.value).startswith(f"{CONTEXT} is not valid JSON5 (")
    assert str(raised.value).endswith(
        "so OpenClaw cannot load it either. Fix the document in its source, then run `pulumi up` "
        "again."
    )


@pytest.mark.parametrize(
    ("changes", "already", "longer", "argo"),
    [
        ({"deliveryTimeoutSeconds": 10}, True, 60, ""),
        (
            {"application": "openclaw", "applicationNamespace": "gitops"},
            False,
            120,
            " (`kubectl -n gitops get application openclaw` shows its sync status)",
        ),
    ],
    ids=["already-in-no-application", "pushed-application-elsewhere"],
)
def test_the_timeout_says_where_the_commit_is_how_to_look_and_how_long_to_wait(
    api_client: ApiClient, changes: dict[str, Any], already: bool, longer: int, argo: str
) -> None:
    """The commit was already on the branch (nothing to push, the wait still owed), or pushed;
    the Application's status is named only when there is one; the longer wait suggested is
    twice the timeout, at least a minute."""
    props = {**PROPS, **changes}
    result = CommitResult(COMMIT, pushed=not already, text="", attempts=1)
    time = FakeTime()
    delivery = Delivery(lambda: api_client, 2.0, clock=time.clock, sleep=time.sleep)

    with pytest.raises(DeliveryTimeout) as raised:
        delivery.deliver(props, result, carries(props), source=SOURCE)

    timeout = props["deliveryTimeoutSeconds"]
    assert str(raised.value) == (
        f"Commit {COMMIT} ({'already in' if already else 'pushed to'} {SOURCE}) did not reach "
        f"ConfigMap {NAMESPACE}/{NAME} within {timeout} s (section.git.deliveryTimeoutSeconds): "
        f'{CONTEXT} has no "cron" section yet. The commit stays in the repository: once the '
        f"GitOps controller syncs that branch and file{argo}, run the same Pulumi command again "
        "(it commits nothing new and only waits), or revert the commit to give up. To wait "
        "longer: `pulumi config set --path 'openclaw-cron-webhook:section.git."
        f"deliveryTimeoutSeconds' {longer}`."
    )


@pytest.mark.parametrize(
    ("expected", "live", "missing"),
    [
        (DOCUMENT, WITH_CRON, f'{CONTEXT} still has the "cron" section'),
        (
            WITH_CRON,
            WITH_CRON.replace("true", "false"),
            f"{CONTEXT} differs from the document at commit {COMMIT}, which gives the "
            '"cron" section back',
        ),
        (
            DOCUMENT,
            DOCUMENT.replace("18789", "18790"),
            f"{CONTEXT} differs from the document at commit {COMMIT} in other bytes",
        ),
    ],
    ids=["section-still-live", "given-back-section-differs", "other-bytes-differ"],
)
def test_after_a_delete_the_wait_says_how_the_live_document_differs(
    cluster: FakeKubeApi, api_client: ApiClient, expected: str, live: str, missing: str
) -> None:
    """The document at the delete's commit has no section, or the one an adopted section had
    before the stack (given back); the live one is not that document yet."""
    cluster.edit_data(NAMESPACE, NAME, KEY, lambda _: live)
    time = FakeTime()
    delivery = Delivery(lambda: api_client, 2.0, clock=time.clock, sleep=time.sleep)

    with pytest.raises(DeliveryTimeout) as raised:
        deliver(delivery, restored(PROPS, expected, COMMIT))

    assert f"within 60 s (section.git.deliveryTimeoutSeconds): {missing}. The commit " in str(
        raised.value
    )


def test_a_config_map_that_is_gone_is_delivered_after_a_delete_and_missing_after_a_create(
    cluster: FakeKubeApi, api_client: ApiClient
) -> None:
    cluster.delete_config_map(NAMESPACE, NAME)
    time = FakeTime()
    delivery = Delivery(lambda: api_client, 2.0, clock=time.clock, sleep=time.sleep)

    deliver(delivery, restored(PROPS, DOCUMENT, COMMIT))
    assert time.sleeps == []
    with pytest.raises(DeliveryTimeout) as raised:
        deliver(delivery, carries(PROPS))

    assert f"(section.git.deliveryTimeoutSeconds): {CONTEXT} does not exist. The " in str(
        raised.value
    )
