"""The KMS statements for each way `token.kmsKeyId` can name the parameter's customer key.

A key ARN is the statement's resource; an alias (bare or as an ARN) cannot be one for use of
the key, so the statement holds `*` and matches the key by its alias; a bare key id becomes
the key's ARN in the stack's region and account. The documents are held exactly: a `Sid` of
`null` is refused by IAM, and an alias ARN as the resource grants nothing (IAM matches a use of
the key against the key's ARN), so the deployer could not write the parameter.
"""

from __future__ import annotations

from typing import Any

import pytest

from stack import permissions
from stack.settings import parse_settings
from stages.permissions import Scope

VIA_SSM = {"kms:ViaService": "ssm.eu-west-1.amazonaws.com"}


def by_alias(alias: str) -> tuple[str, dict[str, Any]]:
    return "*", {
        "StringEquals": VIA_SSM,
        "ForAnyValue:StringEquals": {"kms:ResourceAliases": alias},
    }


@pytest.mark.parametrize(
    ("key", "resource", "condition"),
    [
        (
            "arn:aws:kms:eu-west-1:123456789012:key/k1",
            "arn:aws:kms:eu-west-1:123456789012:key/k1",
            {"StringEquals": VIA_SSM},
        ),
        ("alias/openclaw", *by_alias("alias/openclaw")),
        ("arn:aws:kms:eu-west-1:123456789012:alias/openclaw", *by_alias("alias/openclaw")),
        # An alias name may itself hold "alias/" (its path allows slashes): the alias is all of it.
        ("alias/team/alias/token", *by_alias("alias/team/alias/token")),
        (
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            {"StringEquals": VIA_SSM},
        ),
    ],
)
def test_the_deployer_uses_the_key_only_through_ssm_however_it_is_named(
    key: str, resource: str, condition: dict[str, Any]
) -> None:
    settings = parse_settings({"token": {"kmsKeyId": key}})
    statements = permissions.iam(Scope(settings, "eu-west-1", "123456789012"), "deployer")
    assert statements["Statement"][3:] == [
        {
            "Sid": "DecryptThroughSsm",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": resource,
            "Condition": condition,
        },
        {
            "Sid": "EncryptThroughSsm",
            "Effect": "Allow",
            "Action": "kms:Encrypt",
            "Resource": resource,
            "Condition": condition,
        },
    ]
