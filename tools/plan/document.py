"""Where the stack's section lands and what it leaves: the base openclaw.json (a file in
cluster mode, the GitOps repository's manifest in git mode), the section applied, and plan.json's
`document`, `commit` and `tracked`.

Why the plan asks whether the compared plan already owns the section: then `pulumi up` updates
it (the provider's update-time edit) instead of creating it, and the plan must apply that edit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from stages.section.identity import GIT_TYPE, TYPES
from tools.plan.bases import BaseConfig, read_base_config
from tools.plan.errors import PlanError
from tools.plan.gitops import git_base, tracked_base
from tools.plan.kinds import kind_of
from tools.plan.masking import shown_inputs
from tools.plan.mock_runtime import Recording, Registration
from tools.plan.model import CommitPlan, DocumentPlan, TrackedPlan
from tools.plan.paths import DEFAULT_BASE, shown
from tools.plan.section import SectionResult, apply_section, unified_diff


@dataclass(frozen=True)
class SectionPlan:
    """The section resource, the base it is applied to, and what applying it gives."""

    registration: Registration
    base: BaseConfig
    result: SectionResult
    commit: CommitPlan | None
    tracked: TrackedPlan | None
    notes: tuple[str, ...]
    outcome: str = "written"

    def __post_init__(self) -> None:
        if self.result.adopted:
            object.__setattr__(self, "outcome", "adopted")

    def removed(self) -> SectionPlan:
        """The section taken back out (a rollback switch is off): the document the stack
        leaves is the base, and its diff the removal of what the stack would write."""
        on, base = self.result, self.base
        diff = unified_diff(on.document, base.document, "with the section", "without")
        result = replace(on, document=base.document, adopted=False, diff=diff)
        return replace(self, result=result, commit=None, tracked=None, outcome="removed")

    def document(self) -> DocumentPlan:
        """plan.json's `document`: the openclaw.json result and its diff against the base."""
        inputs, configmap = self.registration.inputs, self.result.configmap
        return DocumentPlan(
            base=shown(self.base.path),
            configmap=f"{configmap['metadata']['namespace']}/{configmap['metadata']['name']}",
            key=inputs["key"],
            section=inputs["section"],
            result=self.outcome,
            file="openclaw.json",
            diff="" if self.result.adopted else self.result.diff,
        )


def the_section(recording: Recording) -> Registration:
    sections = [r for r in recording.resources if r.type in TYPES]
    if len(sections) != 1:
        raise PlanError(
            f"the program registers {len(sections)} sections ({' or '.join(TYPES)}), expected 1"
        )
    return sections[0]


def _owned(previous: dict[str, Any] | None, section: Registration, ids: dict[str, str]) -> bool:
    """Whether the compared plan's stack already owns the section where it goes now: then
    `pulumi up` updates it (the provider's update-time edit) instead of creating it."""
    if previous is None:
        return False
    inputs = shown_inputs(section)
    return any(
        old["id"] == ids[section.urn]
        and old["action"] != "delete"
        and all(old["inputs"].get(k) == inputs.get(k) for k in kind_of(section.type).replace_on)
        for old in previous["resources"]
    )


def plan_section(
    recording: Recording,
    ids: dict[str, str],
    previous: dict[str, Any] | None,
    base_config: Path | None,
) -> SectionPlan:
    """The section applied to its base: `base_config` (--base-config), else the default."""
    section = the_section(recording)
    owned = _owned(previous, section, ids)
    commit: CommitPlan | None = None
    tracked: TrackedPlan | None = None
    git_notes: tuple[str, ...] = ()
    if section.type == GIT_TYPE:  # the base is the repository's manifest of the ConfigMap
        git = git_base(section.inputs, base_config, DEFAULT_BASE, shown, owned=owned)
        base, commit, git_notes = git.base, git.commit, git.notes
    else:
        base = read_base_config(
            base_config or DEFAULT_BASE,
            section.inputs["namespace"],
            section.inputs["configMap"],
            section.inputs["key"],
            default=base_config is None,
        )
        tracked = tracked_base(section.inputs, base, shown(base.path))
    result = apply_section(section.inputs, base, shown(base.path), owned=owned)
    return SectionPlan(section, base, result, commit, tracked, (*result.notes, *git_notes))
