"""The env entry when its rollout fails or the API server goes away (issue 22's fault scenarios,
at unit scale; e2e/scenarios/test_faults.py does the same on the real cluster).

A create that fails leaves nothing in the stack's state, so it must leave nothing in the
Deployment either: it takes its entry back out, or says exactly what is left and what to run.
A wait outlives a short API server outage (the rollout goes on without us), and a wait that
gives up during one says how far the rollout had got.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import urllib3
from fake_kube_api import FakeKubeApi
from kubernetes.client import ApiClient, Configuration
from kubernetes.client.exceptions import ApiException
from test_env_entry_over_http import (
    NAME,
    NAMESPACE,
    PROPS,
    THEIR_ENV,
    FakeTime,
    add_deployment,
    calls,
    env_of,
    ours,
)

from components.deployment_env_provider import EnvEntryProvider
from stages.env_entry import rollout
from stages.env_entry.rollout import RolloutFailed, through_outages


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeKubeApi]:
    """The fake API server with the app's Deployment; time passes a minute per poll."""
    monkeypatch.setattr(rollout, "time", FakeTime())
    with FakeKubeApi() as server:
        add_deployment(server, THEIR_ENV)
        yield server


@pytest.fixture
def provider(fake: FakeKubeApi) -> Iterator[EnvEntryProvider]:
    api_client = ApiClient(Configuration(host=fake.host))
    yield EnvEntryProvider(lambda _target: api_client)
    api_client.close()


def answer_with(fake: FakeKubeApi, statuses: dict[tuple[str, int], int]) -> None:
    """The `n`th request of `method` (1-based) to the Deployment is answered with `status`, as
    a restarting or refusing API server would."""
    handle, seen = fake.handle, dict.fromkeys({method for method, _ in statuses}, 0)

    def answering(method: str, path: str, *args: Any, **kwargs: Any) -> tuple[int, Any]:
        if method in seen and path.endswith(f"/deployments/{NAME}"):
            seen[method] += 1
            if (status := statuses.get((method, seen[method]))) is not None:
                fake.fail_next(method, status)
        return handle(method, path, *args, **kwargs)

    fake.handle = answering  # type: ignore[method-assign]


WHERE = f"Deployment {NAMESPACE}/{NAME} container openclaw"
STUCK = f"gave up after 600 s: Deployment {NAMESPACE}/{NAME}: 0 of 1 updated replicas available"


def test_a_create_whose_rollout_never_completes_takes_its_entry_back_out(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    fake.deployments.stall_rollouts_at = 3

    with pytest.raises(RolloutFailed) as raised:
        provider.create(dict(PROPS))

    assert str(raised.value) == (
        f"{STUCK}\nThe env entry OPENCLAW_CRON_WEBHOOK_TOKEN was taken back out of {WHERE}, so "
        "this run leaves none of it (the pods go back to their previous template). Fix what "
        f"keeps the rollout from completing (`kubectl -n {NAMESPACE} describe pods`), then run "
        "`pulumi up` again."
    )
    assert env_of(fake) == THEIR_ENV
    # The take-back is one apply without our entry, and no wait for the rollout back.
    assert calls(fake)[-1] == "PATCH"
    assert fake.requests[-1].body == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": NAME, "namespace": NAMESPACE},
    }


def test_a_take_back_that_fails_says_the_entry_is_left_and_what_to_run(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    fake.deployments.stall_rollouts_at = 3
    answer_with(fake, {("PATCH", 2): 403})  # the entry's apply passes, the take-back not

    with pytest.raises(RolloutFailed) as raised:
        provider.create(dict(PROPS))

    message = str(raised.value)
    assert message.startswith(
        f"{STUCK}\nThe env entry OPENCLAW_CRON_WEBHOOK_TOKEN could not be taken back out of "
        f'{WHERE} (the server does not allow user "ci" to access '
        f"/apis/apps/v1/namespaces/openclaw/deployments/openclaw (RBAC: no rule grants it) (403: "
        "the identity running this step lacks the permission; grant its role what the "
        "permissions command prints, docs/operations.md)): "
    )
    assert message.endswith(
        "it is still there but not in the stack's state. Run `pulumi up` again once the cluster "
        "answers: it applies the same entry and waits again (`pulumi destroy` alone would leave "
        "it behind)."
    )
    assert env_of(fake) == [*THEIR_ENV, ours()]


def test_a_short_api_outage_during_the_rollout_is_waited_out(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    # The first read (the container check) passes; three of the rollout's reads do not.
    answer_with(fake, {("GET", 2): 503, ("GET", 3): 500, ("GET", 4): 503})

    provider.create(dict(PROPS))

    assert env_of(fake) == [*THEIR_ENV, ours()]
    assert calls(fake).count("PATCH") == 1, "waited out, not taken back"


def test_an_unreachable_api_server_is_waited_out_and_named_if_the_wait_ends_then() -> None:
    said = iter([(False, "Deployment ns/d: 0 of 1 updated replicas available")])
    # What the client raises when nothing listens: the objects in it are the real ones.
    refused = urllib3.exceptions.MaxRetryError(
        urllib3.HTTPSConnectionPool("127.0.0.1", 6443),
        "/apis/apps/v1/namespaces/ns/deployments/d",
        urllib3.exceptions.NewConnectionError(
            urllib3.connection.HTTPSConnection("127.0.0.1", 6443),
            "Failed to establish a new connection: [Errno 111] Connection refused",
        ),
    )

    def check() -> tuple[bool, str]:
        answer = next(said, None)
        if answer is None:
            raise refused
        return answer

    checked = through_outages(check)

    assert checked() == (False, "Deployment ns/d: 0 of 1 updated replicas available")
    assert checked() == (
        False,
        "Deployment ns/d: 0 of 1 updated replicas available (then the API server did not "
        "answer: HTTPSConnection(host='127.0.0.1', port=6443): Failed to establish a new "
        "connection: [Errno 111] Connection refused)",
    )


@pytest.mark.parametrize("status", [401, 403, 404, 422])
def test_an_answer_that_is_a_verdict_still_fails_the_wait_at_once(status: int) -> None:
    def check() -> tuple[bool, str]:
        raise ApiException(status=status, reason="No")

    with pytest.raises(ApiException) as raised:
        through_outages(check)()

    assert raised.value.status == status


def test_a_wait_that_ends_before_the_api_server_ever_answered_says_so() -> None:
    """No answer yet to say how far the rollout got, and a connection reset mid-answer (an
    error without a `reason`): the wait gives up naming both, not an AttributeError."""
    reset = urllib3.exceptions.ProtocolError(
        "Connection aborted.", ConnectionResetError(104, "Connection reset by peer")
    )

    def check() -> tuple[bool, str]:
        raise reset

    clock = FakeTime()

    with pytest.raises(RolloutFailed) as raised:
        rollout.wait_until(through_outages(check), 120, sleep=clock.sleep, clock=clock.monotonic)

    assert str(raised.value) == (
        "gave up after 120 s: no answer from the API server yet (then the API server did not "
        "answer: ('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer')))"
    )
