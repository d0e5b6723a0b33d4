"""Destroy never leaves the pod template reading a Secret it is about to delete.

When another field manager still declares the env entry (a GitOps controller applying the same
entry from Git, a second tool), relinquishing it leaves it in place, and the ExternalSecret that
Pulumi deletes next takes the Secret with it: the next pod start would fail. So the env entry's
delete fails, naming who declares it (stages.env_entry.owners), whether that manager held it
before the stack let go or applied it again during the rollout that followed. Through the real
client against the fake API server, which renders managedFields from who applied what.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fake_kube_api import APPLY_PATCH, FakeKubeApi
from kubernetes.client import ApiClient, Configuration
from test_env_entry_over_http import (
    MANAGER,
    NAME,
    NAMESPACE,
    PATH,
    PROPS,
    SIDECAR,
    THEIR_ENV,
    FakeTime,
    add_deployment,
    calls,
    env_of,
    live,
    ours,
)

from components.deployment_env_provider import EnvEntryProvider
from stages.env_entry import pod_spec, rollout
from stages.env_entry.owners import EntryStillDeclared, other_managers, still_declared
from stages.env_entry.pod_spec import EnvTarget
from stages.kubernetes_meta import FIELD_MANAGER

TARGET = EnvTarget(NAMESPACE, NAME, "openclaw", "OPENCLAW_CRON_WEBHOOK_TOKEN")


def refusal(by: str) -> str:
    return (
        f"Deployment openclaw/openclaw container openclaw: env OPENCLAW_CRON_WEBHOOK_TOKEN is "
        f"still declared by {by}, so it stays in the pod template after this stack let go of "
        "it, taking its value from Secret openclaw-cron-webhook-r1, which this destroy would "
        "delete next with its ExternalSecret: every pod started after that would fail with "
        "CreateContainerConfigError. The destroy stops here; the ExternalSecret and its Secret "
        "are kept. Remove the entry from the source of that writer (for a GitOps controller, "
        "the Deployment's manifest in Git) and let it sync, then run `pulumi destroy` again."
    )


class Cluster(FakeKubeApi):
    """The fake API server; `after_our_apply` runs before the first request that follows an
    apply by the stack's field manager (another writer acting while the stack waits)."""

    after_our_apply: Callable[[], None] | None = None
    _armed = False

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: dict[str, Any] | None,
        content_type: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        if self._armed and self.after_our_apply is not None:
            hook, self.after_our_apply, self._armed = self.after_our_apply, None, False
            hook()
        # Armed only while a hook waits: an apply before it was set (the create's) must not
        # fire it before the destroy's own apply.
        if method == "PATCH" and query.get("fieldManager") == [MANAGER]:
            self._armed = self.after_our_apply is not None
        return super().handle(method, path, query, body, content_type)

    def apply_as(self, manager: str, env: list[dict[str, Any]]) -> None:
        body = pod_spec.apply_body(TARGET, env)
        status, _ = super().handle("PATCH", PATH, {"fieldManager": [manager]}, body, APPLY_PATCH)
        assert status == 200


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[Cluster]:
    monkeypatch.setattr(rollout, "time", FakeTime())
    server = Cluster()
    with server:
        add_deployment(server, THEIR_ENV)
        yield server


@pytest.fixture
def provider(fake: Cluster) -> Iterator[EnvEntryProvider]:
    api_client = ApiClient(Configuration(host=fake.host))
    yield EnvEntryProvider(lambda _target: api_client)
    api_client.close()


def managers_of_our_entry(fake: Cluster) -> list[str]:
    return other_managers(live(fake), TARGET, {MANAGER, FIELD_MANAGER})


def test_an_entry_another_manager_declares_stops_the_destroy_naming_it(
    fake: Cluster, provider: EnvEntryProvider
) -> None:
    """The entry also committed to Git: the stack shared it, and Argo CD keeps it."""
    add_deployment(fake, [*THEIR_ENV, ours()])
    provider.create(dict(PROPS))
    fake.requests.clear()

    with pytest.raises(EntryStillDeclared) as raised:
        provider.delete("id", dict(PROPS))

    assert str(raised.value) == refusal("field manager argocd-controller")
    assert env_of(fake) == [*THEIR_ENV, ours()]
    assert managers_of_our_entry(fake) == ["argocd-controller"]
    # Refused on the relinquishing apply's answer: no wait for a rollout it did not start.
    assert calls(fake) == ["GET", "PATCH"]


def test_an_entry_applied_again_during_the_rollout_stops_the_destroy(
    fake: Cluster, provider: EnvEntryProvider
) -> None:
    provider.create(dict(PROPS))
    fake.after_our_apply = lambda: fake.apply_as("second-tool", [ours()])

    with pytest.raises(EntryStillDeclared) as raised:
        provider.delete("id", dict(PROPS))

    assert str(raised.value) == refusal("field manager second-tool")
    assert env_of(fake) == [*THEIR_ENV, ours()]
    assert "GET pods" not in calls(fake)


def test_every_other_manager_that_declares_the_entry_is_named(
    fake: Cluster, provider: EnvEntryProvider
) -> None:
    """In Git and applied by a second tool as well: the person has two writers to talk to."""
    add_deployment(fake, [*THEIR_ENV, ours()])
    provider.create(dict(PROPS))
    fake.apply_as("second-tool", [ours()])

    with pytest.raises(EntryStillDeclared) as raised:
        provider.delete("id", dict(PROPS))

    assert str(raised.value) == refusal("field managers argocd-controller, second-tool")


def test_an_entry_only_the_stack_declared_is_relinquished(
    fake: Cluster, provider: EnvEntryProvider
) -> None:
    """Another manager with the same variable in another container is no reason to stop."""
    app = {"name": "openclaw", "image": "openclaw:1", "env": THEIR_ENV}
    sidecar = {**SIDECAR, "env": [ours("otel-credentials")]}
    fake.deployments.add(NAMESPACE, NAME, [app, sidecar], labels={"app.kubernetes.io/name": "x"})
    provider.create(dict(PROPS))
    assert managers_of_our_entry(fake) == []

    provider.delete("id", dict(PROPS))

    assert env_of(fake) == THEIR_ENV
    assert env_of(fake, "otel-collector") == [ours("otel-credentials")]


def test_an_entry_someone_else_points_at_another_secret_is_theirs_to_keep(
    fake: Cluster, provider: EnvEntryProvider
) -> None:
    """Taken over with --force-conflicts: the Secret destroy deletes is not read by it."""
    provider.create(dict(PROPS))
    body = pod_spec.apply_body(TARGET, [ours("openclaw-credentials")])
    query = {"fieldManager": ["kubectl"], "force": ["true"]}
    assert FakeKubeApi.handle(fake, "PATCH", PATH, query, body, APPLY_PATCH)[0] == 200

    provider.delete("id", dict(PROPS))

    assert env_of(fake) == [*THEIR_ENV, ours("openclaw-credentials")]


def test_a_deployment_already_gone_is_still_done(fake: Cluster, provider: EnvEntryProvider) -> None:
    provider.delete("id", {**PROPS, "deployment": "gone"})

    assert calls(fake) == ["GET"]


def test_an_entry_no_manager_records_is_refused_all_the_same() -> None:
    """managedFields cleared by hand: the entry still reads the Secret, so still no."""
    deployment = {
        "metadata": {"managedFields": []},
        "spec": {"template": {"spec": {"containers": [{"name": "openclaw", "env": [ours()]}]}}},
    }

    refused = still_declared(deployment, TARGET, "openclaw-cron-webhook-r1", {MANAGER})

    assert str(refused) == refusal("a writer that managedFields does not record")
    assert still_declared(deployment, TARGET, "openclaw-cron-webhook-r0", {MANAGER}) is None


def test_an_update_manager_counts_and_the_stacks_own_applies_do_not() -> None:
    """Neither the stack's manager nor the legacy one it wrote with before is "another"."""
    item: dict[str, Any] = {'k:{"name":"OPENCLAW_CRON_WEBHOOK_TOKEN"}': {"f:valueFrom": {}}}
    containers = {'k:{"name":"openclaw"}': {"f:env": item}}
    fields = {"f:spec": {"f:template": {"f:spec": {"f:containers": containers}}}}
    managed = [
        {"manager": MANAGER, "operation": "Apply", "fieldsV1": fields},
        {"manager": FIELD_MANAGER, "operation": "Apply", "fieldsV1": fields},
        {"manager": FIELD_MANAGER, "operation": "Update", "fieldsV1": fields},
        {"manager": "openclaw-cron-webhook/prod", "operation": "Apply", "fieldsV1": fields},
        {"manager": "kubectl-edit", "operation": "Update", "fieldsV1": fields},
        {"manager": "kubectl-patch", "operation": "Update", "fieldsV1": {"f:spec": {}}},
    ]

    found = other_managers(
        {"metadata": {"managedFields": managed}}, TARGET, {MANAGER, FIELD_MANAGER}
    )

    assert found == ["kubectl-edit", FIELD_MANAGER, "openclaw-cron-webhook/prod"]
