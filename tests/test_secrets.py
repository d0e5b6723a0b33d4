"""The token is a secret everywhere it flows, and its plaintext lives only in SSM's value."""

from __future__ import annotations

import base64
import json

import pytest

from stack.settings import ConfigError
from stages.parameter.identity import TYPE as PARAMETER
from stages.section.identity import CLUSTER_TYPE as SECTION
from tools.plan.mock_runtime import ProgramFailed, Recording, flatten, run_program


def token_of(run: Recording) -> str:
    token = run.outputs["webhookToken"]
    assert isinstance(token, str)
    assert len(token) == 64
    assert token == token.lower()
    int(token, 16)
    return token


def test_plaintext_appears_in_no_input_but_the_parameter_value(cluster_run: Recording) -> None:
    token = token_of(cluster_run)
    holders = [
        (registration.type, path)
        for registration in cluster_run.registrations
        for path, leaf in flatten(registration.inputs).items()
        if token in str(leaf)
    ]
    assert holders == [(PARAMETER, "value")]


def test_the_pickled_section_provider_captures_no_token(cluster_run: Recording) -> None:
    """The dynamic provider is stored in state as base64 pickle: a plain scan can't see in."""
    token = token_of(cluster_run)
    section = cluster_run.one(SECTION)
    pickled = base64.b64decode(section.inputs["__provider"])
    assert token.encode() not in pickled
    assert bytes.fromhex(token) not in pickled


def test_the_parameter_value_is_sent_as_a_secret(cluster_run: Recording) -> None:
    parameter = cluster_run.one(PARAMETER)
    assert parameter.secret_paths() == ["value"]


def test_the_stack_output_is_secret(cluster_run: Recording) -> None:
    assert cluster_run.secret_outputs == {"webhookToken"}


def test_no_other_output_carries_the_token(cluster_run: Recording) -> None:
    token = token_of(cluster_run)
    for name, value in cluster_run.outputs.items():
        if name != "webhookToken":
            assert token not in json.dumps(value), name


def test_a_setting_set_as_secret_is_refused_before_anything_is_registered() -> None:
    """`--secret` on a setting would put a "secret" into plain inputs: refused, with the fix."""
    with pytest.raises(ProgramFailed) as failed:
        run_program(
            {"openclaw-cron-webhook:token": {"description": "x"}, "aws:region": "eu-west-1"},
            secret_keys=("openclaw-cron-webhook:token",),
        )
    assert isinstance(failed.value.cause, ConfigError)
    assert [issue.key for issue in failed.value.cause.issues] == ["token"]
    message = str(failed.value.cause)
    assert 'openclaw-cron-webhook:token = "[secret]": is set as a secret' in message
    assert "(without --secret)" in message
    assert failed.value.recording.resources == []
