"""PINNED: the git-mode section's dynamic provider class, where every state looks for it.

Pulumi pickles the provider object with dill into every resource's state, BY REFERENCE: the
state names the module `components.git_section_provider` and the class `GitJsonSectionProvider`,
and later runs (`pulumi up`, `refresh`, `destroy`) import them by those names. Never move or
rename this module or its class (tests/test_old_state_fixtures.py). So this module holds the
class and nothing else: each method hands its work to the section stage
(stages/section/git/provider.py), and the resource that uses it is
stages/section/git/dynamic_resource.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, UpdateResult

from stages.kube_connection import ClientFactory, KubeResourceProvider
from stages.section.git import provider
from stages.section.git.delivery import Delivery


class GitJsonSectionProvider(KubeResourceProvider):
    """Commit, push and await one section; refresh and diff read the branch head.

    `poll_seconds`, `clock` and `sleep` are for tests; in real use they are None (the
    defaults of stages.section.git.delivery), so nothing but the classes' names is pickled into
    the state. Each also has a class-level default: unpickling a provider from an older state
    skips __init__, and an attribute added since must still be there.
    """

    _poll_seconds: float | None = None
    _clock: Callable[[], float] | None = None
    _sleep: Callable[[float], None] | None = None

    def __init__(
        self,
        client_factory: ClientFactory | None = None,
        *,
        poll_seconds: float | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        super().__init__(client_factory)
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._sleep = sleep

    def create(self, props: dict[str, Any]) -> CreateResult:
        return provider.create(self._delivery(), props)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return provider.update(self._delivery(), olds, news)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        provider.delete(self._delivery(), props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return provider.diff(olds, news)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return provider.read(id_, props)

    def _delivery(self) -> Delivery:
        return Delivery(self.api_client, self._poll_seconds, self._clock, self._sleep)
