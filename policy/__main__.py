"""Entry point Pulumi runs for `--policy-pack policy`; it serves the pack until Pulumi stops it.

Why the split import: Pulumi runs this directory as a script (`python -m pulumi.policy
<engine> .` from inside it), so the rules are the top-level module `rules` there; to mypy
and the tests, which start at the repository root, they are `policy.rules`. Same file.
"""

from typing import TYPE_CHECKING

from pulumi_policy import EnforcementLevel, PolicyPack

if TYPE_CHECKING:
    from policy import rules
else:
    import rules

PolicyPack(
    name="openclaw-cron-webhook-guardrails",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=rules.POLICIES,
)
