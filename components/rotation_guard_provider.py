"""PINNED: the rotation guard's dynamic provider class, where every stack's state expects it.

Why pinned: Pulumi pickles the provider object with dill into the guard's state BY REFERENCE
(module `components.rotation_guard_provider`, class `RotationGuardProvider`), and later runs
import it by those names, skipping `__init__`. Never move or rename them. It holds no
attribute and nothing but the calls into the stage (stages/token/rotation.py, which says why
the guard exists): the guard touches nothing outside the state.
"""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from stages.token import rotation


class RotationGuardProvider(ResourceProvider):
    """Refuses a rotation that goes back (`check`); records the rotations used."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        problem = rotation.refusal(olds, news[rotation.ROTATION])
        if problem is not None:
            return CheckResult(news, [CheckFailure(rotation.ROTATION, problem)])
        return CheckResult(rotation.checked(olds, news), [])

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult("rotation-guard", props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=rotation.changed(olds, news), replaces=[])

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(news)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None
