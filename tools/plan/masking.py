"""What a plan shows of a value: every secret as `[secret]`, never its ciphertext or value.

Why one module: plan.txt, plan.json, plan.md and the pull-request comment are read by people
who hold no credentials, so no secret, and no token written into a URL's user name, may reach
them. A registered input is masked here once, and every output shows that masked copy; the
comparison with an earlier plan only learns which secrets came from which resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stages.section.git.repo_url import redact_url
from stages.section.identity import GIT_TYPE
from tools.plan.mock_runtime import SECRET_SIG, SIG_KEY, Recording, Registration

SECRET = "[secret]"
# Inputs that are plumbing, not intent: the pickled dynamic provider.
HIDDEN_INPUTS = ("__provider",)


def masked(value: Any) -> Any:
    """A wire value with every secret replaced by `[secret]`, ready to show.

    Keys are sorted and whole numbers are ints again: the wire format (a protobuf Struct)
    keeps neither member order nor the int/float distinction, and a plan must read the same
    on every run.
    """
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return SECRET
        return {k: masked(value[k]) for k in sorted(value) if k not in HIDDEN_INPUTS}
    if isinstance(value, list):
        return [masked(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def shown_inputs(registration: Registration) -> dict[str, Any]:
    """The inputs a plan shows: secrets masked, and the GitOps repo's URL without userinfo (a
    token written as its user name must not reach a plan file or a PR comment)."""
    inputs: dict[str, Any] = masked(registration.wire_inputs)
    if registration.type == GIT_TYPE and isinstance(inputs.get("repo"), str):
        inputs["repo"] = redact_url(inputs["repo"])
    return inputs


def shown_outputs(recording: Recording) -> dict[str, Any]:
    """The stack's outputs, a secret one as `[secret]`."""
    return {
        name: SECRET if name in recording.secret_outputs else value
        for name, value in recording.outputs.items()
    }


def secret_sources(registration: Registration, ids: Mapping[str, str]) -> dict[str, list[str]]:
    """Each secret input path → the resources it was computed from (by id)."""
    sources: dict[str, list[str]] = {}
    for path in registration.secret_paths():
        prop = path.split(".")[0].split("[")[0]
        deps = registration.property_dependencies.get(prop, [])
        sources[path] = [ids[urn] for urn in deps if urn in ids]
    return sources
