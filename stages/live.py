"""What verify saw of one stack's live path: the record every stage's verify hop judges.

Why one record: verify reads every system once (tools.verify.check), then walks stages.ORDER,
and each stage's `judge` (stages/<stage>/verify.py) picks the facts of its own hops from here.
A read that failed is kept as its CannotRead, so the hop says it could not be checked instead
of judging a missing object; without a cluster connection no Kubernetes hop is judged at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from openclaw_runtime.verdict import Judgement
from stack.settings import Settings
from stages.fix_commands import Commands
from stages.hop import CannotRead, Hop, cannot_check
from stages.kube_reader import SecretFacts
from stages.parameter.ssm_reader import ParameterFacts
from stages.section.git.branch_head import BranchHead


@dataclass
class Live:
    """The stack (its name, settings, outputs, fix commands) and what the readers saw; a
    CannotRead where a read failed."""

    stack: str
    settings: Settings
    outputs: Mapping[str, Any]
    commands: Commands
    no_cluster: CannotRead | None = None
    parameter: ParameterFacts | None = None
    ssm_problem: CannotRead | None = None
    deployment: dict[str, Any] | None = None
    pods: list[dict[str, Any]] | None = None
    env_problem: CannotRead | None = None
    config_map: dict[str, Any] | None = None
    config_problem: CannotRead | None = None
    external_secret: dict[str, Any] | None = None
    es_problem: CannotRead | None = None
    store: Mapping[str, Any] | CannotRead | None = None
    secret: SecretFacts | None = None
    secret_problem: CannotRead | None = None
    git: BranchHead | CannotRead | None = None
    judgement: Judgement | None = None  # OpenClaw's verdict on the live document
    judge_note: str = ""  # why there is none

    def in_cluster(self, name: str, problem: CannotRead | None, judge: Callable[[], Hop]) -> Hop:
        """A Kubernetes hop: judged only when the cluster and its objects could be read."""
        found = self.no_cluster or problem
        return cannot_check(name, found) if found is not None else judge()
