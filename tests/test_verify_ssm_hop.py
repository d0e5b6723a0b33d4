"""The ssm hop's failures held whole: summary, cause, fix and the evidence printed under them.

tests/test_verify_hops.py states which differences the hop finds; here each verdict is the one
`./bin/verify` prints, evidence included, since the evidence is what a person compares with
`aws ssm describe-parameters` before running the fix.
"""

from __future__ import annotations

import json

from test_verify_hops import NAME, UP_REFRESH, C, S, parameter

from stages.hop import CannotRead, Hop, fail, ok
from stages.live import Live
from stages.parameter.verify import judge, ssm_hop
from tools.verify.stack import settings_from_config

FACTS = "SecureString, version 3, last modified 2026-11-30T09:00:00+00:00"
TAGS = "tags app=openclaw, component=cron-webhook, managed-by=pulumi"
CHANGED = "the parameter was changed outside Pulumi (console, CLI, another tool)"


def test_a_missing_parameter_says_who_likely_removed_it() -> None:
    assert ssm_hop(S, None, C) == fail(
        "ssm",
        f"parameter {NAME} does not exist",
        "deleted outside Pulumi (console, CLI), or the last `pulumi up` failed before it",
        UP_REFRESH,
    )


def test_a_changed_parameter_shows_what_ssm_holds() -> None:
    changed = parameter(type="String", key_id="alias/other", version=4, tags={})

    assert ssm_hop(S, changed, C, recorded_version=3) == fail(
        "ssm",
        f"parameter {NAME}: its type is String, not SecureString; its KMS key is alias/other, "
        "the stack sets alias/aws/ssm; its version is 4, the stack's last update left version "
        "3; tag app is missing; tag component is missing; tag managed-by is missing",
        CHANGED,
        UP_REFRESH,
        "String, version 4, last modified 2026-11-30T09:00:00+00:00",
        "KMS key alias/other",
        "tags none",
    )


def test_a_parameter_without_a_key_id_is_under_the_aws_managed_key() -> None:
    """DescribeParameters leaves KeyId out for the default key; the evidence names it."""
    assert ssm_hop(S, parameter(key_id=None, version=4), C, recorded_version=3) == fail(
        "ssm",
        f"parameter {NAME}: its version is 4, the stack's last update left version 3",
        CHANGED,
        UP_REFRESH,
        "SecureString, version 4, last modified 2026-11-30T09:00:00+00:00",
        "KMS key alias/aws/ssm",
        TAGS,
    )


def test_an_alias_and_a_key_id_hold_with_a_note_that_they_were_not_compared() -> None:
    token = json.dumps({"kmsKeyId": "alias/openclaw"})
    settings = settings_from_config({"openclaw-cron-webhook:token": (token, False)}, "dev")

    assert ssm_hop(settings, parameter(key_id="1234abcd"), C) == ok(
        "ssm",
        f"SecureString {NAME}, version 3, sha256 0123456789ab",
        FACTS,
        "KMS key 1234abcd",
        TAGS,
        "KMS key not compared with alias/openclaw (an alias and a key id)",
        "value: 64 hex characters",
    )


def test_an_unreadable_value_keeps_the_facts_that_could_be_read() -> None:
    problem = CannotRead("AWS denies kms:Decrypt", "may not kms:Decrypt", "grant it")
    unreadable = parameter(digest=None, shape=None, value_problem=problem)

    assert ssm_hop(S, unreadable, C) == Hop(
        "ssm",
        "error",
        "AWS denies kms:Decrypt",
        (FACTS, "KMS key alias/aws/ssm", TAGS),
        "may not kms:Decrypt",
        "grant it",
    )


def test_the_hop_compares_the_version_the_stack_recorded() -> None:
    live = Live("dev", S, {"parameterVersion": 2}, C, parameter=parameter(version=3))
    assert judge(live, {}) == (
        fail(
            "ssm",
            f"parameter {NAME}: its version is 3, the stack's last update left version 2",
            CHANGED,
            UP_REFRESH,
            FACTS,
            "KMS key alias/aws/ssm",
            TAGS,
        ),
    )
    denied = CannotRead("AWS denies ssm:DescribeParameters", "may not", "grant it")
    assert judge(Live("dev", S, {}, C, ssm_problem=denied), {}) == (
        Hop("ssm", "error", "AWS denies ssm:DescribeParameters", (), "may not", "grant it"),
    )
