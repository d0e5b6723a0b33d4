"""How the offline plan explains the SSM parameter (the Terraform bridge: `name` and `dataType`
are ForceNew, and `name` names the real object, so a replacement that keeps it deletes
first)."""

from __future__ import annotations

from stages.explanation import NO_RESTART, Inputs, Kind
from stages.parameter.identity import REPLACE_ON, TYPE


def _target(inputs: Inputs) -> str:
    return f"AWS SSM parameter {inputs.get('name')} ({inputs.get('type')})"


def _pods(_: Inputs) -> str:
    return f"{NO_RESTART} (pods get the token from the Secret, through the env entry)"


def _destroy(inputs: Inputs, retained: bool) -> str:
    if retained:
        return (
            f"keeps AWS SSM parameter {inputs.get('name')} (token.retainOnDestroy): the stack "
            "only forgets it"
        )
    return f"deletes AWS SSM parameter {inputs.get('name')} from AWS"


def _hop(inputs: Inputs, _: str) -> str:
    return f"SSM parameter {inputs.get('name')}"


KINDS = {
    TYPE: Kind(
        target=_target,
        pods=_pods,
        on_destroy=_destroy,
        hop=_hop,
        replace_on=REPLACE_ON,
        names=("name",),
    ),
}
