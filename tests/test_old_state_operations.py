"""Today's code on the states the first releases wrote: read, diff, update and delete of the
cluster section and the env entry, on the fake Kubernetes API server (the git section's are in
tests/process/test_old_state_git.py: they need real git).

Each frozen state (tests/old_state.py) is the provider its release pickled, the outputs its
`create` returned and the world it left, made by running that release's own code
(devtools/old_state_fixtures.py: `.venv/bin/python -m devtools.old_state_fixtures`; `--first`
also remakes the first releases' from `git archive`). The engine hands a state's outputs to
read and delete with the provider the state holds, and to diff and update as `olds`, with the
program's provider; here the frozen one runs every operation (it is today's class, but with
only the attributes its release set). The judge is today's code on today's state (the `head`
fixture): on the same world an old state must end exactly where a new one ends. Time is
faked: a rollout's polls do not wait.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fake_kube_api import FakeKubeApi
from old_state import RELEASES, FrozenState, news

from devtools.old_state_fixtures import (
    CONFIG_MAP,
    DEPLOYMENT,
    DOCUMENT,
    KEY,
    NAMESPACE,
    THEIR_ENV,
    Cluster,
    seed,
)
from stages.env_entry import rollout
from stages.kubernetes_meta import FIELD_MANAGER
from stages.section.adoption import ADOPTED, BEFORE, RECORD
from stages.section.cluster.provider import WRITE_TRACKED

SECTION, ENV = "JsonSectionProvider", "EnvEntryProvider"
STACK_MANAGER = "openclaw-cron-webhook/dev"  # the env entry's, today: the stack's own
ENV_NAME = "OPENCLAW_CRON_WEBHOOK_TOKEN"
# What today's read no longer reports of a first release's outputs (the connection moved to
# `configure`); it adds nothing they lack (no adoption record: destroy removes as before).
DROPPED = {(SECTION, "first"): {"kubeContext"}}
# What an old state has no record of, and an update keeps only where the state had it: whether
# create adopted an equal section (stages.section.adoption; destroy then removes as before).
NOT_RECORDED = {SECTION: RECORD}
CHANGED: dict[str, dict[str, Any]] = {
    SECTION: {"value": {"enabled": True, "sessionRetention": "3d"}},
    ENV: {"secretName": "openclaw-cron-webhook-r2"},  # a rotation
}


class FakeTime:
    """`time` for stages.env_entry.rollout: a poll's sleep costs nothing."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def fake_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rollout, "time", FakeTime())


@pytest.fixture
def cluster() -> Iterator[FakeKubeApi]:
    with Cluster() as server:
        seed(server)
        yield server


def left_by_create(cluster: FakeKubeApi, state: FrozenState) -> None:
    """The world as that release's create left it: its document, or its applies replayed."""
    if "document" in state.world:
        cluster.edit_data(NAMESPACE, CONFIG_MAP, KEY, lambda _: state.world["document"])
    for apply in state.world.get("applies", []):
        status, _ = cluster.handle(
            apply["method"], apply["path"], apply["query"], apply["body"], apply["content_type"]
        )
        assert status in (200, 201)


def document(cluster: FakeKubeApi) -> str:
    text: str = cluster.get(NAMESPACE, CONFIG_MAP)["data"][KEY]
    return text


def entries(cluster: FakeKubeApi) -> tuple[list[dict[str, Any]], dict[str, set[str]]]:
    """The app container's env, and who owns each entry (the field managers)."""
    deployment = cluster.deployments.objects[NAMESPACE, DEPLOYMENT]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    owners = {
        name: managers
        for (_, _, _, name), managers in cluster.deployments.owners.items()
        if managers
    }
    return copy.deepcopy(container.get("env", [])), owners


def world(cluster: FakeKubeApi) -> Any:
    return (document(cluster), entries(cluster))


def ours(secret: str) -> dict[str, Any]:
    return {"name": ENV_NAME, "valueFrom": {"secretKeyRef": {"name": secret, "key": ENV_NAME}}}


def outcome(name: str, release: str, operation: str) -> tuple[Any, Any]:
    """What `operation` returns on that release's state, and the world after it."""
    state = FrozenState.load(name, release)
    with Cluster() as cluster:
        seed(cluster)
        left_by_create(cluster, state)
        provider = state.provider(cluster.host)
        if operation == "update":
            result = provider.update(state.id, state.props(), news(name, **CHANGED[name])).outs
        else:
            result = provider.delete(state.id, state.props())
        return result, world(cluster)


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("name", [SECTION, ENV])
def test_the_diff_of_todays_inputs_for_the_same_stack_is_no_change(name: str, release: str) -> None:
    state = FrozenState.load(name, release)
    provider = state.provider("http://127.0.0.1:9")  # diff reaches no cluster
    result = provider.diff(state.id, state.props(), news(name))
    assert (result.changes, result.replaces) == (False, [])


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("name", [SECTION, ENV])
def test_read_gives_the_outputs_back(name: str, release: str, cluster: FakeKubeApi) -> None:
    state = FrozenState.load(name, release)
    left_by_create(cluster, state)
    result = state.provider(cluster.host).read(state.id, state.props())
    kept = {k: v for k, v in state.outputs.items() if k not in DROPPED.get((name, release), ())}
    assert (result.id, result.outs) == (state.id, kept)


@pytest.mark.parametrize("name", [SECTION, ENV])
def test_an_update_of_a_first_release_state_does_what_it_does_on_todays(name: str) -> None:
    result, after = outcome(name, "first", "update")
    todays, todays_after = outcome(name, "head", "update")
    assert after == todays_after
    assert result == {k: v for k, v in todays.items() if k not in NOT_RECORDED.get(name, ())}
    changed = {k: v for k, v in news(name, **CHANGED[name]).items() if k != "__provider"}
    if name == SECTION:
        del changed[WRITE_TRACKED]  # how to write, never an output
        assert todays == {**changed, ADOPTED: False, BEFORE: None}
        assert json.loads(after[0]) == {**json.loads(DOCUMENT), "cron": CHANGED[SECTION]["value"]}
    else:
        assert result == changed
        env, owners = after[1]
        assert env == [*THEIR_ENV, ours("openclaw-cron-webhook-r2")]
        assert owners[ENV_NAME] == {STACK_MANAGER}  # handed over from the legacy manager


@pytest.mark.parametrize("name", [SECTION, ENV])
def test_a_delete_of_a_first_release_state_does_what_it_does_on_todays(name: str) -> None:
    result, after = outcome(name, "first", "delete")
    assert (result, after) == outcome(name, "head", "delete")
    assert after[0] == DOCUMENT  # byte for byte as before Phase 2
    env, owners = after[1]
    assert env == THEIR_ENV
    assert ENV_NAME not in owners


def test_the_first_env_entry_was_applied_by_the_legacy_manager() -> None:
    """What makes the env entry's old state differ from today's: its field manager."""
    (apply,) = FrozenState.load(ENV, "first").world["applies"]
    assert apply["query"]["fieldManager"] == [FIELD_MANAGER]


@pytest.mark.parametrize("name", [SECTION, ENV])
def test_todays_create_returns_the_head_fixture(name: str, cluster: FakeKubeApi) -> None:
    """A change of what today's create returns or leaves needs a new fixture (the command in
    the module's docstring), so that the next release is tested against this one's state."""
    head = FrozenState.load(name, "head")
    provider = head.provider(cluster.host)
    result = provider.create({**head.inputs, "__provider": head.serialized})
    assert (result.id, result.outs) == (head.id, head.outputs)
    if "document" in head.world:
        assert document(cluster) == head.world["document"]
    else:
        applies = [r for r in cluster.requests if r.method == "PATCH"]
        assert [(r.path, r.query, r.body) for r in applies] == [
            (a["path"], a["query"], a["body"]) for a in head.world["applies"]
        ]
