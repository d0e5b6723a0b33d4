"""The env-entry provider through the real Kubernetes client, against the fake API server.

test_env_entry_provider.py judges the provider's decisions against an in-memory cluster; this
file checks what actually goes over the wire and what comes back from an API server: the Server-
Side Apply request itself (path, field manager, not forced, the apply content type, a body with
nothing but our entry), statuses as the API server serialises them (zero counts left out),
selectors of more than one label, pods that outlive the rollout, and errors that are not 404.
Time is faked: a wait that would give up after ten minutes gives up at once.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from fake_kube_api import APPLY_PATCH, FakeKubeApi
from kubernetes.client import ApiClient, Configuration
from kubernetes.client.exceptions import ApiException

from components.deployment_env_provider import EnvEntryProvider
from stages.env_entry import deployment_api, pod_spec, rollout
from stages.env_entry.deployment_api import ApplyConflict, DeploymentNotFound
from stages.env_entry.rollout import RolloutFailed

NAMESPACE, NAME = "openclaw", "openclaw"
PATH = f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/{NAME}"
LABELS = {"app.kubernetes.io/name": "openclaw", "app.kubernetes.io/instance": "openclaw"}
SELECTOR = "app.kubernetes.io/instance=openclaw,app.kubernetes.io/name=openclaw"
ENV_NAME = "OPENCLAW_CRON_WEBHOOK_TOKEN"
MANAGER = "openclaw-cron-webhook/dev"  # the stack's own field manager
PROPS: dict[str, Any] = {
    "namespace": NAMESPACE,
    "deployment": NAME,
    "container": "openclaw",
    "envName": ENV_NAME,
    "secretName": "openclaw-cron-webhook-r1",
    "secretKey": ENV_NAME,
    "fieldManager": MANAGER,
}
ROTATED = {**PROPS, "secretName": "openclaw-cron-webhook-r2"}
THEIR_ENV: list[dict[str, Any]] = [
    {"name": "NODE_ENV", "value": "production"},
    {
        "name": "DISCORD_BOT_TOKEN",
        "valueFrom": {"secretKeyRef": {"name": "openclaw-credentials", "key": "DISCORD_BOT_TOKEN"}},
    },
]
SIDECAR = {"name": "otel-collector", "image": "otel:1"}


def ours(ref_name: str = "openclaw-cron-webhook-r1") -> dict[str, Any]:
    """Our entry as applied: a secretKeyRef to the Secret of that name."""
    ref = {"name": ref_name, "key": ENV_NAME}
    return {"name": ENV_NAME, "valueFrom": {"secretKeyRef": ref}}


def add_deployment(fake: FakeKubeApi, env: list[dict[str, Any]], replicas: int = 1) -> None:
    app = {"name": "openclaw", "image": "openclaw:1", "env": copy.deepcopy(env)}
    fake.deployments.add(NAMESPACE, NAME, [app, SIDECAR], labels=LABELS, replicas=replicas)


class FakeTime:
    """`time` for stages.env_entry.rollout: each poll's sleep lets a minute pass, at no cost.

    So a ten-minute wait gives up after ten polls; the provider polls the same way either way.
    """

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += 60 * seconds


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    clock = FakeTime()
    monkeypatch.setattr(rollout, "time", clock)
    return clock


@pytest.fixture
def fake(fake_time: FakeTime) -> Iterator[FakeKubeApi]:
    with FakeKubeApi() as server:
        add_deployment(server, THEIR_ENV)
        yield server


@pytest.fixture
def provider(fake: FakeKubeApi) -> Iterator[EnvEntryProvider]:
    api_client = ApiClient(Configuration(host=fake.host))
    yield EnvEntryProvider(lambda _target: api_client)
    api_client.close()


def live(fake: FakeKubeApi) -> dict[str, Any]:
    return copy.deepcopy(fake.deployments.objects[NAMESPACE, NAME])


def env_of(fake: FakeKubeApi, container: str = "openclaw") -> list[dict[str, Any]]:
    containers = live(fake)["spec"]["template"]["spec"]["containers"]
    env: list[dict[str, Any]] = next(c for c in containers if c["name"] == container).get("env", [])
    return env


def calls(fake: FakeKubeApi) -> list[str]:
    return [f"{r.method} pods" if r.path.endswith("/pods") else r.method for r in fake.requests]


def pods_reading(fake: FakeKubeApi, secret: str) -> list[str]:
    """Names of the Deployment's pods with an env entry from `secret`, as the cluster lists them."""
    status, pod_list = fake.deployments.list_pods(NAMESPACE, {"labelSelector": [SELECTOR]})
    assert status == 200
    return [
        pod["metadata"]["name"]
        for pod in pod_list["items"]
        if any(
            item.get("valueFrom", {}).get("secretKeyRef", {}).get("name") == secret
            for container in pod["spec"]["containers"]
            for item in container.get("env", [])
        )
    ]


def test_create_applies_only_our_entry_as_our_field_manager_and_awaits_the_rollout(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    result = provider.create(dict(PROPS))

    assert (result.id, result.outs) == (f"{NAMESPACE}/{NAME}/openclaw#env/{ENV_NAME}", PROPS)
    assert env_of(fake) == [*THEIR_ENV, ours()]
    assert env_of(fake, "otel-collector") == []
    (apply,) = [r for r in fake.requests if r.method == "PATCH"]
    assert (apply.path, apply.content_type) == (PATH, APPLY_PATCH)
    assert apply.query == {"fieldManager": [MANAGER], "force": ["false"]}
    assert apply.body == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": NAME, "namespace": NAMESPACE},
        "spec": {"template": {"spec": {"containers": [{"name": "openclaw", "env": [ours()]}]}}},
    }
    # read, apply, then one read per rollout status: stale, observed, surged, unavailable, done
    assert calls(fake) == ["GET", "PATCH", "GET", "GET", "GET", "GET", "GET"]
    assert live(fake)["status"]["observedGeneration"] == live(fake)["metadata"]["generation"]
    assert pods_reading(fake, "openclaw-cron-webhook-r1") != []


def test_an_equal_entry_declared_by_someone_else_is_shared_without_a_rollout(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    """The entry already committed to Git: applying the same value is not a conflict."""
    add_deployment(fake, [*THEIR_ENV, ours()])

    provider.create(dict(PROPS))

    assert env_of(fake) == [*THEIR_ENV, ours()]
    assert calls(fake) == ["GET", "PATCH", "GET"]


def test_an_entry_someone_else_owns_with_another_value_is_a_conflict_not_forced(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    add_deployment(fake, [*THEIR_ENV, ours("openclaw-credentials")])

    with pytest.raises(ApplyConflict) as raised:
        provider.create(dict(PROPS))

    assert str(raised.value).startswith(
        f"Deployment {NAMESPACE}/{NAME}: another field manager owns a field this stack applies "
        "(Server-Side Apply conflict, not forced): "
    )
    assert 'conflict with \\"argocd-controller\\"' in str(raised.value)
    assert env_of(fake) == [*THEIR_ENV, ours("openclaw-credentials")]


def test_a_missing_deployment_is_refused_with_what_to_check(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    with pytest.raises(DeploymentNotFound) as raised:
        provider.create({**PROPS, "deployment": "gateway"})

    assert str(raised.value) == (
        f"Deployment {NAMESPACE}/gateway not found: the env entry needs the application's "
        "Deployment. Check `deployment.name` and `namespace`, and that the app is deployed. "
        "Nothing was written."
    )
    assert calls(fake) == ["GET"]


def test_a_deployment_without_that_container_says_which_it_has(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    with pytest.raises(LookupError) as raised:
        provider.create({**PROPS, "container": "gateway"})

    assert str(raised.value) == (
        f"Deployment {NAMESPACE}/{NAME} has no container 'gateway' (its containers: openclaw, "
        "otel-collector). Nothing was written. Fix it with `pulumi config set --path "
        "'openclaw-cron-webhook:deployment.container' <one of those>`."
    )


def test_rotation_waits_until_the_last_old_pod_is_gone(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    """Old pods are still listed while they terminate; the old Secret must outlive them."""
    provider.create(dict(PROPS))
    fake.deployments.old_pods_linger = 2
    fake.requests.clear()

    result = provider.update("id", dict(PROPS), dict(ROTATED))

    assert result.outs == ROTATED
    assert env_of(fake) == [*THEIR_ENV, ours("openclaw-cron-webhook-r2")]
    assert calls(fake)[-4:] == ["GET", "GET pods", "GET pods", "GET pods"]
    assert {tuple(r.query["labelSelector"]) for r in fake.requests if r.path.endswith("/pods")} == {
        (SELECTOR,)
    }
    assert pods_reading(fake, "openclaw-cron-webhook-r1") == []


def test_an_update_of_the_key_only_does_not_wait_for_pods(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    provider.create(dict(PROPS))
    fake.requests.clear()

    provider.update("id", dict(PROPS), {**PROPS, "secretKey": "TOKEN"})

    # The same Secret: read, apply, follow the rollout; no pod can be holding on to an old one.
    assert calls(fake) == ["GET", "PATCH", "GET", "GET", "GET", "GET", "GET"]


def test_pods_that_never_let_go_of_the_old_secret_fail_the_rotation_by_name(
    fake: FakeKubeApi, provider: EnvEntryProvider, fake_time: FakeTime
) -> None:
    add_deployment(fake, THEIR_ENV, replicas=2)
    provider.create(dict(PROPS))
    old_pods = pods_reading(fake, "openclaw-cron-webhook-r1")
    fake.deployments.old_pods_linger = 10**6

    with pytest.raises(RolloutFailed) as raised:
        provider.update("id", dict(PROPS), dict(ROTATED))

    assert len(old_pods) == 2
    assert str(raised.value) == (
        "gave up after 600 s: pods still reading Secret openclaw-cron-webhook-r1: "
        + ", ".join(old_pods)
    )
    assert fake_time.now >= 600


def test_the_wait_for_old_pods_gives_up_after_the_entrys_own_timeout(
    fake: FakeKubeApi, provider: EnvEntryProvider, fake_time: FakeTime
) -> None:
    """Both waits of a rotation (rollout, then pods letting go) take `rolloutTimeoutSeconds`."""
    provider.create(dict(PROPS))
    old_pods = pods_reading(fake, "openclaw-cron-webhook-r1")
    fake.deployments.old_pods_linger = 10**6

    with pytest.raises(RolloutFailed) as raised:
        provider.update("id", dict(PROPS), {**ROTATED, "rolloutTimeoutSeconds": 420})

    assert str(raised.value) == (
        "gave up after 420 s: pods still reading Secret openclaw-cron-webhook-r1: "
        + ", ".join(old_pods)
    )


@pytest.mark.parametrize(
    ("stuck_at", "waiting_for"),
    [
        (0, "waiting for the controller to observe the change"),
        (3, "0 of 1 updated replicas available"),
    ],
    ids=["never-observed", "never-available"],
)
def test_a_rollout_that_never_completes_fails_saying_what_it_waited_for(
    fake: FakeKubeApi, provider: EnvEntryProvider, stuck_at: int, waiting_for: str
) -> None:
    fake.deployments.stall_rollouts_at = stuck_at

    with pytest.raises(RolloutFailed) as raised:
        provider.create(dict(PROPS))

    assert str(raised.value).startswith(
        f"gave up after 600 s: Deployment {NAMESPACE}/{NAME}: {waiting_for}\n"
    )
    assert env_of(fake) == THEIR_ENV, "a failed create takes its entry back out"


def test_a_deployment_scaled_to_zero_rolls_out_at_once(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    """No replicas: the API server leaves every count out of the status; nothing to wait for."""
    add_deployment(fake, THEIR_ENV, replicas=0)

    provider.create(dict(PROPS))

    assert env_of(fake) == [*THEIR_ENV, ours()]
    assert calls(fake) == ["GET", "PATCH", "GET", "GET"]


def test_a_deployment_its_controller_has_not_seen_yet_is_not_rolled_out() -> None:
    """Created a moment ago (by a GitOps sync, say): the API server shows no status at all."""
    created = {
        "metadata": {"namespace": NAMESPACE, "name": NAME, "generation": 1},
        "spec": {"replicas": 1},
    }

    assert rollout.rollout_status(created) == (
        False,
        f"Deployment {NAMESPACE}/{NAME}: waiting for the controller to observe the change",
    )


def test_apply_returns_the_deployment_as_the_api_server_holds_it(fake: FakeKubeApi) -> None:
    api_client = ApiClient(Configuration(host=fake.host))
    target = pod_spec.EnvTarget(NAMESPACE, NAME, "openclaw", ENV_NAME)

    applied = deployment_api.KubernetesDeploymentApi(api_client).apply(
        NAMESPACE, NAME, pod_spec.apply_body(target, [ours()]), MANAGER
    )

    api_client.close()
    assert pod_spec.live_entry(applied, target) == ours()
    assert applied["metadata"]["generation"] == 2


def test_delete_relinquishes_only_our_entry_and_waits_for_the_old_pods(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    provider.create(dict(PROPS))
    fake.deployments.old_pods_linger = 1
    fake.requests.clear()

    provider.delete("id", dict(PROPS))

    assert env_of(fake) == THEIR_ENV
    apply = next(r for r in fake.requests if r.method == "PATCH")
    assert apply.path == PATH
    assert apply.body == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": NAME, "namespace": NAMESPACE},
    }
    assert calls(fake)[-3:] == ["GET", "GET pods", "GET pods"]
    assert pods_reading(fake, "openclaw-cron-webhook-r1") == []


def test_delete_of_a_deployment_already_gone_is_done(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    provider.delete("id", {**PROPS, "deployment": "gone"})

    assert calls(fake) == ["GET"]


@pytest.mark.parametrize(("method", "status"), [("GET", 403), ("GET", 500), ("PATCH", 500)])
def test_delete_fails_on_any_other_error(
    fake: FakeKubeApi, provider: EnvEntryProvider, method: str, status: int
) -> None:
    provider.create(dict(PROPS))
    fake.fail_next(method, status)

    with pytest.raises(ApiException) as raised:
        provider.delete("id", dict(PROPS))

    assert raised.value.status == status
    assert env_of(fake) == [*THEIR_ENV, ours()]


def test_refresh_reports_the_live_entry_found_by_name(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    provider.create(dict(PROPS))
    edited = {"name": ENV_NAME, "valueFrom": {"secretKeyRef": {"name": "by-hand", "key": "K"}}}
    # `kubectl edit`: our entry points elsewhere now, and another entry went in front of it
    fake.deployments.objects[NAMESPACE, NAME]["spec"]["template"]["spec"]["containers"][0][
        "env"
    ] = [{"name": "AAA", "value": "1"}, edited, *THEIR_ENV]

    result = provider.read("id", dict(PROPS))

    assert (result.id, result.outs) == ("id", {**PROPS, "secretName": "by-hand", "secretKey": "K"})


@pytest.mark.parametrize("gone", ["deployment", "entry"])
def test_refresh_of_what_is_gone_reports_no_resource(
    fake: FakeKubeApi, provider: EnvEntryProvider, gone: str
) -> None:
    """The engine adds its own keys to `outs`, so "gone" is an empty dict, never None."""
    props = {**PROPS, "deployment": "gone"} if gone == "deployment" else dict(PROPS)

    result = provider.read("id", props)

    assert (result.id, result.outs) == (None, {})


def test_refresh_fails_on_a_server_error(fake: FakeKubeApi, provider: EnvEntryProvider) -> None:
    fake.fail_next("GET", 500)

    with pytest.raises(ApiException):
        provider.read("id", dict(PROPS))
