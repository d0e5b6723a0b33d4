"""What verify's SSM reader makes of Parameter Store's three answers (moto standing in for SSM).

`stages.parameter.ssm_reader.read_parameter` turns DescribeParameters, ListTagsForResource and
GetParameter(WithDecryption) into ParameterFacts: every field comes from the answer that holds
it, the customer KMS key included (the ssm hop compares it with `token.kmsKeyId`), and the value
leaves only as its digest and shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from stages.parameter import ssm_reader
from stages.parameter.ssm_reader import ParameterFacts
from stages.redaction import Redactor, digest_of

pytestmark = pytest.mark.process  # moto, and botocore's models

REGION = "eu-west-1"
NAME = "/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN"
TOKEN = "5f" * 32
PERMISSIONS_FIX = "./bin/verify --stack dev --print-permissions"


@pytest.fixture
def ssm(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("ssm", region_name=REGION)


def test_the_facts_are_what_parameter_store_answers(ssm: Any) -> None:
    ssm.put_parameter(
        Name=NAME,
        Value=TOKEN,
        Type="SecureString",
        KeyId="alias/openclaw",
        Tags=[{"Key": "app", "Value": "openclaw"}, {"Key": "team", "Value": "platform"}],
    )
    ssm.put_parameter(Name=NAME, Value=TOKEN, Type="SecureString", Overwrite=True)
    modified = ssm.describe_parameters()["Parameters"][0]["LastModifiedDate"]
    redactor = Redactor()

    facts = ssm_reader.read_parameter(
        ssm_reader.ssm_client(REGION, {}), NAME, redactor, PERMISSIONS_FIX
    )

    assert facts == ParameterFacts(
        name=NAME,
        type="SecureString",
        key_id="alias/openclaw",
        version=2,
        last_modified=modified,
        tags={"app": "openclaw", "team": "platform"},
        digest=digest_of(TOKEN.encode()),
        shape="64 hex characters",
        value_problem=None,
    )
    assert redactor.scrub(f"token {TOKEN}") == "token [redacted]"


def test_a_parameter_that_does_not_exist_has_no_facts(ssm: Any) -> None:
    ssm.put_parameter(Name=f"{NAME}_OTHER", Value=TOKEN, Type="SecureString")

    client = ssm_reader.ssm_client(REGION, {})
    assert ssm_reader.read_parameter(client, NAME, Redactor(), PERMISSIONS_FIX) is None
