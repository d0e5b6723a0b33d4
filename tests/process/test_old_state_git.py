"""Today's code on the state the git section's first release (0ea9f98) wrote: read, diff,
update and delete, on a bare repository with real git and the fake API server, whose ConfigMap
follows the branch head at every read (an Argo CD that has always just synced, so no delivery
waits). As tests/test_old_state_operations.py does for the other two providers (the fixtures
and the command that makes them are described there): the frozen provider runs each
operation, and an old state must end exactly where today's state ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from git_bare_repo import BareRepo, isolated_git  # noqa: F401 - isolated_git is a fixture
from old_state import RELEASES, FrozenState, news

from devtools.old_state_fixtures import (
    CONFIG_MAP,
    DOCUMENT,
    KEY,
    NAMESPACE,
    PATH,
    Cluster,
    manifest,
    seed,
)
from stages.section.adoption import ADOPTED, BEFORE, RECORD

pytestmark = [pytest.mark.process, pytest.mark.usefixtures("isolated_git")]

GIT = "GitJsonSectionProvider"
RETENTION = {"enabled": True, "sessionRetention": "3d"}


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[BareRepo, Cluster]]:
    repo = BareRepo.create(tmp_path, {PATH: manifest(DOCUMENT)})
    with Cluster() as cluster:
        seed(cluster)
        cluster.repo = repo
        yield repo, cluster


def left_by_create(repo: BareRepo, release: str) -> FrozenState:
    """That release's state on this repository, whose branch holds what its create pushed."""
    state = FrozenState.load(GIT, release, repo.url)
    repo.commit({PATH: state.world["manifest"]}, "what create pushed")
    return state


def live(cluster: Cluster) -> str:
    text: str = cluster.get(NAMESPACE, CONFIG_MAP)["data"][KEY]
    return text


def outcome(release: str, operation: str, tmp_path: Path) -> tuple[Any, str, str, list[str]]:
    """What `operation` returns on that release's state; the file, the live document and the
    subjects of the commits it pushed, after it."""
    repo = BareRepo.create(tmp_path / release / operation, {PATH: manifest(DOCUMENT)})
    with Cluster() as cluster:
        seed(cluster)
        cluster.repo = repo
        state = left_by_create(repo, release)
        before = repo.count()
        provider = state.provider(cluster.host)
        if operation == "update":
            changed = news(GIT, repo.url, value=RETENTION)
            result = provider.update(state.id, state.props(), changed).outs
            # this world's: the repository and the commit the update pushed
            result = {**result, "repo": result["repo"] == repo.url}
            result["commit"] = result["commit"] == repo.head()
        else:
            result = provider.delete(state.id, state.props())
        pushed = repo.log("--format=%s")[: repo.count() - before]
        return result, repo.read(PATH), live(cluster), pushed


@pytest.mark.parametrize("release", RELEASES)
def test_the_diff_of_todays_inputs_for_the_same_stack_is_no_change(
    release: str, world: tuple[BareRepo, Cluster]
) -> None:
    repo, cluster = world
    state = left_by_create(repo, release)
    provider = state.provider(cluster.host)
    result = provider.diff(state.id, state.props(), news(GIT, repo.url))
    assert (result.changes, result.replaces) == (False, [])


@pytest.mark.parametrize("release", RELEASES)
def test_read_gives_the_outputs_back(release: str, world: tuple[BareRepo, Cluster]) -> None:
    repo, cluster = world
    state = left_by_create(repo, release)
    result = state.provider(cluster.host).read(state.id, state.props())
    assert (result.id, result.outs) == (state.id, state.outputs)


def test_an_update_of_the_first_release_state_does_what_it_does_on_todays(
    tmp_path: Path,
) -> None:
    result, file, document, pushed = outcome("first", "update", tmp_path)
    todays = outcome("head", "update", tmp_path)
    assert (file, document, pushed) == todays[1:]
    assert result == {k: v for k, v in todays[0].items() if k not in RECORD}
    expected = {k: v for k, v in news(GIT, "REPO", value=RETENTION).items() if k != "__provider"}
    assert todays[0] == {**expected, "repo": True, "commit": True} | {
        ADOPTED: False,
        BEFORE: None,
    }
    assert yaml.safe_load(file)["data"][KEY] == document
    assert '"sessionRetention": "3d"' in document
    assert pushed == ["openclaw-cron-webhook/dev: update cron section in openclaw.json (Phase 2)"]


def test_a_delete_of_the_first_release_state_does_what_it_does_on_todays(
    tmp_path: Path,
) -> None:
    result, file, document, pushed = outcome("first", "delete", tmp_path)
    assert (result, file, document, pushed) == outcome("head", "delete", tmp_path)
    assert (file, document) == (manifest(DOCUMENT), DOCUMENT)  # byte for byte as seeded
    assert pushed == ["openclaw-cron-webhook/dev: remove cron section in openclaw.json (Phase 2)"]


def test_todays_create_returns_the_head_fixture(world: tuple[BareRepo, Cluster]) -> None:
    """A change of what today's create returns or pushes needs a new fixture."""
    repo, cluster = world
    head = FrozenState.load(GIT, "head", repo.url)
    result = head.provider(cluster.host).create({**head.inputs, "__provider": head.serialized})
    assert result.outs is not None
    assert result.outs["commit"] == repo.head()
    assert (result.id, {**result.outs, "commit": None}) == (
        head.id,
        {**head.outputs, "commit": None},
    )
    assert repo.read(PATH) == head.world["manifest"]
