"""The env-entry provider against an in-memory cluster that applies like the API server.

What matters: a no-op diff is empty whatever order the live list has, a misspelt container is
refused before any write, every write waits for its rollout, a rotation waits until no pod
reads the old Secret, destroy relinquishes only our entry, and a Deployment already gone is
not an error.
"""

from __future__ import annotations

import base64
import copy
import pickletools
from typing import Any

import dill  # type: ignore[import-untyped]
import pytest
from pulumi.dynamic.dynamic import serialize_provider

from components.deployment_env_provider import EnvEntryProvider
from stages.env_entry import pod_spec, rollout
from stages.env_entry.deployment_api import ApplyConflict, DeploymentNotFound
from stages.env_entry.rollout import RolloutFailed, rollout_status, wait_until

PROPS: dict[str, Any] = {
    "namespace": "openclaw",
    "deployment": "openclaw",
    "container": "openclaw",
    "envName": "OPENCLAW_CRON_WEBHOOK_TOKEN",
    "secretName": "openclaw-cron-webhook-r1",
    "secretKey": "OPENCLAW_CRON_WEBHOOK_TOKEN",
    "fieldManager": "openclaw-cron-webhook/dev",
}
THEIR_ENV = [
    {"name": "NODE_ENV", "value": "production"},
    {
        "name": "DISCORD_BOT_TOKEN",
        "valueFrom": {"secretKeyRef": {"name": "openclaw-credentials", "key": "DISCORD_BOT_TOKEN"}},
    },
]


def ref(secret: str) -> dict[str, Any]:
    return {
        "name": "OPENCLAW_CRON_WEBHOOK_TOKEN",
        "valueFrom": {"secretKeyRef": {"name": secret, "key": "OPENCLAW_CRON_WEBHOOK_TOKEN"}},
    }


class FakeCluster:
    """One Deployment; apply merges our manager's env entries by name, as SSA does.

    `rollout_polls` is how many reads after a template change still show the rollout in
    progress; pods are rebuilt from the template once it completes.
    """

    def __init__(self, rollout_polls: int = 2) -> None:
        self.deployment: dict[str, Any] | None = {
            "metadata": {"name": "openclaw", "namespace": "openclaw", "generation": 1},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "openclaw"}},
                "template": {
                    "spec": {
                        "containers": [
                            {"name": "openclaw", "image": "openclaw:1", "env": list(THEIR_ENV)},
                            {"name": "otel-collector", "image": "otel:1"},
                        ]
                    }
                },
            },
            "status": _rolled_out(1),
        }
        self.ours: list[dict[str, Any]] = []
        self.pods = [self._pod()]
        self.rollout_polls = rollout_polls
        self._pending = 0
        self.log: list[str] = []
        self.conflict_with: dict[str, Any] | None = None

    def _container(self) -> dict[str, Any]:
        assert self.deployment is not None
        containers: list[dict[str, Any]] = self.deployment["spec"]["template"]["spec"]["containers"]
        return containers[0]

    def _pod(self) -> dict[str, Any]:
        assert self.deployment is not None
        return {
            "metadata": {"name": "openclaw-pod"},
            "spec": copy.deepcopy(self.deployment["spec"]["template"]["spec"]),
        }

    def read(self, namespace: str, name: str) -> dict[str, Any]:
        self.log.append("read")
        if self.deployment is None or (namespace, name) != ("openclaw", "openclaw"):
            raise DeploymentNotFound(f"Deployment {namespace}/{name} not found")
        if self._pending:
            self._pending -= 1
            if not self._pending:
                self.deployment["status"] = _rolled_out(self.deployment["metadata"]["generation"])
                self.pods = [self._pod()]
        return copy.deepcopy(self.deployment)

    def apply(
        self, namespace: str, name: str, body: dict[str, Any], manager: str
    ) -> dict[str, Any]:
        self.log.append("apply")
        assert manager == PROPS["fieldManager"]
        assert self.deployment is not None
        wanted = body.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])
        new_ours = wanted[0]["env"] if wanted else []
        if self.conflict_with is not None and new_ours and new_ours[0] != self.conflict_with:
            raise ApplyConflict("conflict with manager 'argocd'")
        env = [e for e in self._container()["env"] if e not in self.ours] + new_ours
        if env != self._container()["env"]:
            self._container()["env"] = env
            self.deployment["metadata"]["generation"] += 1
            self.deployment["status"] = {"observedGeneration": 0}
            self._pending = self.rollout_polls
        self.ours = list(new_ours)
        return copy.deepcopy(self.deployment)

    def pods_(self, namespace: str, selector: str) -> list[dict[str, Any]]:
        self.log.append(f"pods {selector}")
        return copy.deepcopy(self.pods)


def _rolled_out(generation: int) -> dict[str, Any]:
    return {
        "observedGeneration": generation,
        "replicas": 1,
        "updatedReplicas": 1,
        "availableReplicas": 1,
    }


class Api:
    """The DeploymentApi protocol over FakeCluster."""

    def __init__(self, cluster: FakeCluster) -> None:
        self.read = cluster.read
        self.apply = cluster.apply
        self.pods = cluster.pods_


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch) -> FakeCluster:
    fake = FakeCluster()
    monkeypatch.setattr(EnvEntryProvider, "_api", lambda self: Api(fake))
    monkeypatch.setattr(rollout.time, "sleep", lambda _seconds: None)
    return fake


def env_of(cluster: FakeCluster) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = cluster._container()["env"]
    return env


def test_create_appends_our_entry_and_waits_for_the_rollout(cluster: FakeCluster) -> None:
    result = EnvEntryProvider().create(dict(PROPS))

    assert result.id == "openclaw/openclaw/openclaw#env/OPENCLAW_CRON_WEBHOOK_TOKEN"
    assert result.outs == PROPS
    assert env_of(cluster) == [*THEIR_ENV, ref("openclaw-cron-webhook-r1")]
    assert cluster._pending == 0, "create returned before the rollout completed"
    assert cluster.log == ["read", "apply", "read", "read"]


def test_a_misspelt_container_is_refused_before_any_write(cluster: FakeCluster) -> None:
    with pytest.raises(LookupError) as error:
        EnvEntryProvider().create({**PROPS, "container": "opnclaw"})

    assert str(error.value).startswith(
        "Deployment openclaw/openclaw has no container 'opnclaw' (its containers: openclaw, "
        "otel-collector). Nothing was written."
    )
    assert "deployment.container" in str(error.value)
    assert cluster.log == ["read"]


def test_a_missing_deployment_is_refused_with_what_to_check(cluster: FakeCluster) -> None:
    cluster.deployment = None
    with pytest.raises(DeploymentNotFound, match=r"deployment\.name.*Nothing was written"):
        EnvEntryProvider().create(dict(PROPS))


def test_a_conflict_with_another_manager_is_not_forced(cluster: FakeCluster) -> None:
    cluster.conflict_with = ref("someone-elses")
    with pytest.raises(ApplyConflict):
        EnvEntryProvider().create(dict(PROPS))
    assert env_of(cluster) == THEIR_ENV


def test_a_noop_diff_is_empty_whatever_the_live_order() -> None:
    result = EnvEntryProvider().diff("id", dict(PROPS), dict(PROPS))
    assert (result.changes, result.replaces) == (False, [])


def test_rotation_is_an_update_and_waits_until_no_pod_reads_the_old_secret(
    cluster: FakeCluster,
) -> None:
    provider = EnvEntryProvider()
    provider.create(dict(PROPS))
    rotated = {**PROPS, "secretName": "openclaw-cron-webhook-r2"}

    diff = provider.diff("id", dict(PROPS), rotated)
    assert (diff.changes, diff.replaces) == (True, [])
    cluster.log.clear()
    provider.update("id", dict(PROPS), rotated)

    assert env_of(cluster) == [*THEIR_ENV, ref("openclaw-cron-webhook-r2")]
    assert pod_spec.pods_referencing(cluster.pods, "openclaw-cron-webhook-r1") == []
    assert cluster.log[-1] == "pods app=openclaw"


@pytest.mark.parametrize("prop", ["namespace", "deployment", "container", "envName"])
def test_a_new_target_is_a_delete_before_replace(prop: str) -> None:
    result = EnvEntryProvider().diff("id", dict(PROPS), {**PROPS, prop: "other"})
    assert (result.changes, result.replaces, result.delete_before_replace) == (True, [prop], True)


def test_delete_relinquishes_only_our_entry_and_waits(cluster: FakeCluster) -> None:
    provider = EnvEntryProvider()
    provider.create(dict(PROPS))
    cluster.log.clear()

    provider.delete("id", dict(PROPS))

    assert env_of(cluster) == THEIR_ENV
    assert cluster._pending == 0
    assert pod_spec.pods_referencing(cluster.pods, "openclaw-cron-webhook-r1") == []
    assert cluster.log[:2] == ["read", "apply"]


def test_delete_of_a_deployment_deleted_out_of_band_is_done(cluster: FakeCluster) -> None:
    EnvEntryProvider().create(dict(PROPS))
    cluster.deployment = None
    cluster.log.clear()

    EnvEntryProvider().delete("id", dict(PROPS))

    assert cluster.log == ["read"], "an apply to a missing Deployment would try to create it"


def test_read_finds_our_entry_by_name_and_reports_drift(cluster: FakeCluster) -> None:
    EnvEntryProvider().create(dict(PROPS))
    env_of(cluster)[-1] = ref("hand-edited")
    env_of(cluster).insert(0, {"name": "AAA", "value": "first"})

    result = EnvEntryProvider().read("id", dict(PROPS))

    assert (result.id, result.outs) == ("id", {**PROPS, "secretName": "hand-edited"})


def test_read_reports_a_removed_entry_or_deployment_as_gone(cluster: FakeCluster) -> None:
    assert EnvEntryProvider().read("id", dict(PROPS)).id is None
    cluster.deployment = None
    assert EnvEntryProvider().read("id", dict(PROPS)).id is None


@pytest.mark.parametrize(
    ("status", "waiting"),
    [
        ({"observedGeneration": 1}, "waiting for the controller to observe the change"),
        ({"observedGeneration": 2, "updatedReplicas": 1}, "1 of 2 replicas updated"),
        (
            {"observedGeneration": 2, "updatedReplicas": 2, "replicas": 3},
            "1 old replicas terminating",
        ),
        (
            {"observedGeneration": 2, "updatedReplicas": 2, "replicas": 2, "availableReplicas": 1},
            "1 of 2 updated replicas available",
        ),
    ],
)
def test_rollout_status_follows_kubectl(status: dict[str, Any], waiting: str) -> None:
    deployment = {
        "metadata": {"namespace": "ns", "name": "d", "generation": 2},
        "spec": {"replicas": 2},
        "status": status,
    }
    done, message = rollout_status(deployment)
    assert not done
    assert message == f"Deployment ns/d: {waiting}"


def test_a_progress_deadline_fails_the_rollout_at_once() -> None:
    deployment = {
        "metadata": {"namespace": "ns", "name": "d", "generation": 2},
        "status": {
            "observedGeneration": 2,
            "conditions": [
                {
                    "type": "Progressing",
                    "reason": "ProgressDeadlineExceeded",
                    "message": "ReplicaSet has timed out progressing.",
                }
            ],
        },
    }
    with pytest.raises(RolloutFailed, match="progress deadline: ReplicaSet has timed out"):
        rollout_status(deployment)


def test_wait_until_gives_up_with_what_it_waited_for() -> None:
    now = [0.0]

    def advance(seconds: float) -> None:
        now[0] += seconds

    with pytest.raises(RolloutFailed, match="gave up after 5 s: still 1 pod"):
        wait_until(
            lambda: (False, "still 1 pod"), timeout=5, poll=1, sleep=advance, clock=lambda: now[0]
        )
    assert now[0] == 5


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Seconds on a clock that only the provider's own sleeps move."""
    now = [0.0]

    def advance(seconds: float) -> None:
        now[0] += seconds

    monkeypatch.setattr(rollout.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(rollout.time, "sleep", advance)
    return now


def test_a_timeout_change_alone_is_no_change() -> None:
    """Waiting longer or shorter changes nothing in the cluster: nothing to update."""
    before = {**PROPS, "rolloutTimeoutSeconds": 600}

    result = EnvEntryProvider().diff("id", before, {**PROPS, "rolloutTimeoutSeconds": 900})

    assert (result.changes, result.replaces) == (False, [])


def test_an_entry_recorded_before_the_timeout_existed_shows_no_update() -> None:
    """The first preview after the upgrade that added the input: 0 changes."""
    result = EnvEntryProvider().diff("id", dict(PROPS), {**PROPS, "rolloutTimeoutSeconds": 600})

    assert (result.changes, result.replaces) == (False, [])


def test_a_rotation_with_a_new_timeout_is_still_an_update() -> None:
    before = {**PROPS, "rolloutTimeoutSeconds": 600}
    rotated = {**PROPS, "secretName": "openclaw-cron-webhook-r2", "rolloutTimeoutSeconds": 900}

    result = EnvEntryProvider().diff("id", before, rotated)

    assert (result.changes, result.replaces) == (True, [])


def test_each_write_waits_as_long_as_its_timeout_says(
    cluster: FakeCluster, clock: list[float]
) -> None:
    cluster.rollout_polls = 10**6

    with pytest.raises(RolloutFailed, match=r"^gave up after 7 s: Deployment openclaw/openclaw"):
        EnvEntryProvider().create({**PROPS, "rolloutTimeoutSeconds": 7})

    assert clock[0] == 7


def test_the_timeout_is_kept_in_the_outputs_for_delete_and_refresh(cluster: FakeCluster) -> None:
    """Delete only has the outputs: they carry the timeout the entry was last written with."""
    provider = EnvEntryProvider()
    props = {**PROPS, "rolloutTimeoutSeconds": 900}

    created = provider.create(props)

    assert created.outs == props
    assert provider.read("id", props).outs == props


def test_an_entry_without_a_timeout_waits_the_default_and_gains_none_on_refresh(
    cluster: FakeCluster, clock: list[float]
) -> None:
    provider = EnvEntryProvider()
    provider.create(dict(PROPS))
    assert provider.read("id", dict(PROPS)).outs == PROPS
    cluster.rollout_polls = 10**6
    clock[0] = 0.0

    with pytest.raises(RolloutFailed, match=r"^gave up after 600 s: "):
        provider.delete("id", dict(PROPS))

    assert clock[0] == 600


def test_delete_waits_as_long_as_the_entry_was_written_with(
    cluster: FakeCluster, clock: list[float]
) -> None:
    provider = EnvEntryProvider()
    provider.create({**PROPS, "rolloutTimeoutSeconds": 30})
    cluster.rollout_polls = 10**6
    clock[0] = 0.0

    with pytest.raises(RolloutFailed, match=r"^gave up after 30 s: "):
        provider.delete("id", {**PROPS, "rolloutTimeoutSeconds": 30})

    assert clock[0] == 30


def test_provider_is_pickled_by_reference() -> None:
    pickled = base64.b64decode(serialize_provider(EnvEntryProvider()))

    operations = list(pickletools.genops(pickled))
    strings = [argument for _, argument, _ in operations if isinstance(argument, str)]
    assert strings[:2] == ["components.deployment_env_provider", "EnvEntryProvider"]
    restored = dill.loads(pickled)  # noqa: S301 - our own pickle, made two lines up
    assert vars(restored) == {"_client_factory": None}
