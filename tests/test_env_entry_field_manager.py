"""Each stack writes its env entry under its own field manager, and older entries move to it.

With one manager for every stack, a second stack's apply on the same Deployment removed the
first stack's entry (Server-Side Apply takes from a manager what its latest apply leaves out).
Here, through the real client against the fake API server (which judges apply per manager and
renders managedFields): the name, two stacks side by side, the hand-over from the legacy manager
at the next write without a rollout of its own, destroy under both managers, the 0-change diff
of an old state, and who counts as "another manager" for destroy's refusal and verify.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from fake_kube_api import APPLY_PATCH, FakeKubeApi
from kubernetes.client import ApiClient, Configuration
from test_env_entry_over_http import (
    ENV_NAME,
    MANAGER,
    NAME,
    NAMESPACE,
    PATH,
    PROPS,
    THEIR_ENV,
    FakeTime,
    add_deployment,
    env_of,
    live,
    ours,
)

from components.deployment_env_provider import EnvEntryProvider
from stages.env_entry import pod_spec, rollout
from stages.env_entry.owners import EntryStillDeclared, entry_owners
from stages.env_entry.pod_spec import EnvTarget
from stages.env_entry.verify import env_hop, judge
from stages.fix_commands import Commands
from stages.kubernetes_meta import FIELD_MANAGER, stack_field_manager
from stages.live import Live
from tools.plan.mock_runtime import run_program
from tools.verify.stack import settings_from_config

# The state of an entry written before stacks had their own manager: no `fieldManager`.
OLD = {k: v for k, v in PROPS.items() if k != "fieldManager"}
ROTATED = {**PROPS, "secretName": "openclaw-cron-webhook-r2"}
TARGET = EnvTarget(NAMESPACE, NAME, "openclaw", ENV_NAME)
# A second stack on the same Deployment: another env name, its own Secret, its own manager.
SECOND_ENV = "SECOND_WEBHOOK_TOKEN"
SECOND = {
    **PROPS,
    "envName": SECOND_ENV,
    "secretName": "second-r1",
    "secretKey": SECOND_ENV,
    "fieldManager": "openclaw-cron-webhook/second",
}


def second(rotation: str = "r1") -> dict[str, Any]:
    return pod_spec.entry(SECOND_ENV, f"second-{rotation}", SECOND_ENV)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeKubeApi]:
    monkeypatch.setattr(rollout, "time", FakeTime())
    with FakeKubeApi() as server:
        add_deployment(server, THEIR_ENV)
        yield server


@pytest.fixture
def provider(fake: FakeKubeApi) -> Iterator[EnvEntryProvider]:
    api_client = ApiClient(Configuration(host=fake.host))
    yield EnvEntryProvider(lambda _target: api_client)
    api_client.close()


def owners(fake: FakeKubeApi, target: EnvTarget = TARGET) -> list[tuple[str, str]]:
    return entry_owners(live(fake), target)


def generation(fake: FakeKubeApi) -> int:
    return int(live(fake)["metadata"]["generation"])


def applies(fake: FakeKubeApi) -> list[tuple[str, list[str]]]:
    """Each apply since the log was cleared: its manager and the env names it declares."""
    found = []
    for request in fake.requests:
        if request.method == "PATCH":
            spec = (request.body or {}).get("spec", {}).get("template", {}).get("spec", {})
            names = [e["name"] for c in spec.get("containers", []) for e in c.get("env", [])]
            found.append((request.query["fieldManager"][0], names))
    return found


def apply_as(fake: FakeKubeApi, manager: str, env: list[dict[str, Any]]) -> None:
    """Another writer's Server-Side Apply (the pre-change code, a GitOps controller)."""
    body = pod_spec.apply_body(TARGET, env)
    query = {"fieldManager": [manager]}
    assert FakeKubeApi.handle(fake, "PATCH", PATH, query, body, APPLY_PATCH)[0] == 200


def test_the_manager_is_the_project_and_the_stack() -> None:
    assert stack_field_manager("openclaw-cron-webhook", "prod") == "openclaw-cron-webhook/prod"


def test_a_name_past_the_api_servers_limit_is_cut_with_a_digest_of_the_whole() -> None:
    """Pulumi allows longer project and stack names than the API server's 128 characters."""
    stack = "s" * 110
    first = stack_field_manager("openclaw-cron-webhook", stack + "1")
    other = stack_field_manager("openclaw-cron-webhook", stack + "2")

    assert len(first) == len(other) == 128
    assert first[:119] == other[:119] == ("openclaw-cron-webhook/" + stack)[:119]
    assert first[119] == "-"
    assert first != other
    assert stack_field_manager("p", "s" * 126) == "p/" + "s" * 126


def test_the_program_names_the_manager_by_its_project_and_stack() -> None:
    run = run_program({}, stack="prod")

    entry = run.one("pulumi-python:dynamic/openclaw:EnvEntry")
    assert entry.inputs["fieldManager"] == "openclaw-cron-webhook/prod"


def test_two_stacks_on_one_deployment_each_keep_the_others_entry(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    provider.create(dict(PROPS))
    provider.create(dict(SECOND))
    assert env_of(fake) == [*THEIR_ENV, ours(), second()]

    provider.update("id", dict(SECOND), {**SECOND, "secretName": "second-r2"})
    assert env_of(fake) == [*THEIR_ENV, ours(), second("r2")]
    provider.update("id", dict(PROPS), dict(ROTATED))
    assert env_of(fake) == [*THEIR_ENV, ours("openclaw-cron-webhook-r2"), second("r2")]

    provider.delete("id", {**SECOND, "secretName": "second-r2"})
    assert env_of(fake) == [*THEIR_ENV, ours("openclaw-cron-webhook-r2")]
    assert owners(fake) == [(MANAGER, "Apply")]


def test_with_one_manager_for_both_the_second_stack_took_the_first_ones_entry(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    """What the legacy name did, and why the fake can tell: the first entry went."""
    provider.create(dict(OLD))
    provider.create({k: v for k, v in SECOND.items() if k != "fieldManager"})

    assert env_of(fake) == [*THEIR_ENV, second()]


def test_a_rotation_moves_a_legacy_entry_to_the_stacks_manager_in_one_rollout(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    provider.create(dict(OLD))  # the state and the entry of the code before
    assert owners(fake) == [(FIELD_MANAGER, "Apply")]
    before = generation(fake)
    fake.requests.clear()

    result = provider.update("id", dict(OLD), dict(ROTATED))

    assert applies(fake) == [
        (MANAGER, [ENV_NAME]),  # the live entry, unchanged: co-owned
        (FIELD_MANAGER, []),  # the legacy manager lets go: the entry stays
        (MANAGER, [ENV_NAME]),  # the rotation
    ]
    assert env_of(fake) == [*THEIR_ENV, ours("openclaw-cron-webhook-r2")]
    assert owners(fake) == [(MANAGER, "Apply")]
    assert generation(fake) == before + 1, "one rollout: the rotation's"
    assert result.outs == ROTATED


def test_a_rotation_after_a_stack_rename_moves_the_entry_from_the_old_stacks_manager(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    """`pulumi stack rename`: the state records the old stack's manager, which holds the entry;
    the rotation hands it over to the new name, and the old name keeps nothing of it."""
    provider.create(dict(PROPS))
    renamed = {**ROTATED, "fieldManager": "openclaw-cron-webhook/renamed"}
    before = generation(fake)
    fake.requests.clear()

    result = provider.update("id", dict(PROPS), renamed)

    assert applies(fake) == [
        ("openclaw-cron-webhook/renamed", [ENV_NAME]),  # the live entry, unchanged: co-owned
        (MANAGER, []),  # the old stack's manager lets go: the entry stays
        ("openclaw-cron-webhook/renamed", [ENV_NAME]),  # the rotation
    ]
    assert env_of(fake) == [*THEIR_ENV, ours("openclaw-cron-webhook-r2")]
    assert owners(fake) == [("openclaw-cron-webhook/renamed", "Apply")]
    assert generation(fake) == before + 1, "one rollout: the rotation's"
    assert result.outs == renamed


def test_a_create_over_the_legacy_entry_adopts_it_without_a_rollout(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    """The upgrade that recreates the resource (from the DeploymentPatch) finds its entry."""
    apply_as(fake, FIELD_MANAGER, [ours()])
    before = generation(fake)

    provider.create(dict(PROPS))

    assert env_of(fake) == [*THEIR_ENV, ours()]
    assert owners(fake) == [(MANAGER, "Apply")]
    assert generation(fake) == before


def test_the_legacy_manager_is_let_go_only_where_it_holds_this_stacks_entry(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    """An older stack's entry under the legacy name stays: an empty apply under that name
    would take it, as the legacy name last applied it."""
    apply_as(fake, FIELD_MANAGER, [second()])
    fake.requests.clear()

    provider.create(dict(PROPS))
    provider.update("id", dict(OLD), dict(ROTATED))

    assert [manager for manager, _ in applies(fake)] == [MANAGER, MANAGER]
    assert env_of(fake) == [*THEIR_ENV, second(), ours("openclaw-cron-webhook-r2")]


def test_destroy_of_an_old_state_relinquishes_under_the_legacy_manager(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    provider.create(dict(OLD))
    fake.requests.clear()

    provider.delete("id", dict(OLD))

    assert applies(fake) == [(FIELD_MANAGER, [])]
    assert env_of(fake) == THEIR_ENV


def test_destroy_relinquishes_under_both_when_the_legacy_manager_still_holds_it(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    """A hand-over cut short: both of the stack's managers hold the entry."""
    provider.create(dict(PROPS))
    apply_as(fake, FIELD_MANAGER, [ours()])
    fake.requests.clear()

    provider.delete("id", dict(PROPS))

    assert applies(fake) == [(MANAGER, []), (FIELD_MANAGER, [])]
    assert env_of(fake) == THEIR_ENV


def test_destroy_still_stops_for_another_manager_and_names_only_that_one(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    provider.create(dict(OLD))
    apply_as(fake, "kubectl", [ours()])

    with pytest.raises(EntryStillDeclared, match=r"still declared by field manager kubectl,"):
        provider.delete("id", dict(OLD))

    assert env_of(fake) == [*THEIR_ENV, ours()]
    assert owners(fake) == [("kubectl", "Apply")]


def test_an_old_states_noop_diff_and_a_renamed_stack_show_no_change() -> None:
    """The first preview after the upgrade (the state has no manager) and after
    `pulumi stack rename` (another one): 0 changes; the manager moves at the next write."""
    upgraded = EnvEntryProvider().diff("id", dict(OLD), dict(PROPS))
    renamed = EnvEntryProvider().diff(
        "id", dict(PROPS), {**PROPS, "fieldManager": "openclaw-cron-webhook/renamed"}
    )

    assert (upgraded.changes, upgraded.replaces) == (False, [])
    assert (renamed.changes, renamed.replaces) == (False, [])


def test_refresh_keeps_the_recorded_manager_and_invents_none(
    fake: FakeKubeApi, provider: EnvEntryProvider
) -> None:
    provider.create(dict(PROPS))

    assert provider.read("id", dict(PROPS)).outs == PROPS
    assert provider.read("id", dict(OLD)).outs == OLD


def _owned_by(*managers: str) -> dict[str, Any]:
    """The Deployment with a wrong entry (an earlier rotation's Secret), whose secretKeyRef
    each of `managers` holds."""
    item: dict[str, Any] = {f'k:{{"name":"{ENV_NAME}"}}': {"f:valueFrom": {"f:secretKeyRef": {}}}}
    containers = {'k:{"name":"openclaw"}': {"f:env": item}}
    fields = {"f:spec": {"f:template": {"f:spec": {"f:containers": containers}}}}
    return {
        "metadata": {
            "name": NAME,
            "namespace": NAMESPACE,
            "managedFields": [
                {"manager": m, "operation": "Apply", "fieldsV1": copy.deepcopy(fields)}
                for m in managers
            ],
        },
        "spec": {"template": {"spec": {"containers": [{"name": "openclaw", "env": [ours()]}]}}},
    }


SETTINGS = settings_from_config(
    {"openclaw-cron-webhook:token": ('{"rotation": "2"}', False)}, "prod"
)


def test_verify_counts_the_stacks_own_and_the_legacy_manager_as_its_own() -> None:
    """Its own managers: `pulumi up --refresh` puts the entry back. Another stack's or a
    hand's: the take-back, under the stack's own manager."""
    commands, manager = Commands("prod"), "openclaw-cron-webhook/prod"

    for own in (manager, FIELD_MANAGER):
        hop = env_hop(SETTINGS, _owned_by(own), [], commands, manager)
        assert hop.fix == "pulumi up --refresh --stack prod", own
    taken = env_hop(SETTINGS, _owned_by("openclaw-cron-webhook/other"), [], commands, manager)

    assert taken.cause.startswith("openclaw-cron-webhook/other changed the entry")
    assert taken.fix.endswith(
        " | kubectl apply --server-side --force-conflicts "
        "--field-manager=openclaw-cron-webhook/prod -f -"
    )


@pytest.mark.parametrize("stack", ["prod", "acme/prod", "acme/openclaw-cron-webhook/prod"])
def test_verify_names_the_manager_by_the_bare_stack_name(stack: str) -> None:
    """`./bin/verify --stack` may be given a qualified name; the program knows the bare one."""
    live = Live(stack, SETTINGS, {}, Commands(stack), deployment=_owned_by("kubectl"), pods=[])

    (hop,) = judge(live, {})

    assert "--field-manager=openclaw-cron-webhook/prod -f -" in hop.fix
