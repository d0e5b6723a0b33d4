"""The parameter stage's read-only I/O: what Parameter Store holds, read with three calls.

Why these calls: DescribeParameters gives the type, KMS key, version and last modification
without decrypting anything; ListTagsForResource the tags; GetParameter(WithDecryption) the
value, which is hashed here, in memory, and dropped: only its SHA-256 digest and its shape leave
this module (the Redactor keeps it to scrub output). IAM actions: exactly these three, plus
kms:Decrypt on a customer key (tools.verify.permissions prints them). The verdict on what this
reads is stages.parameter.verify.

Clients: boto3's default credential chain; the region from the stack's `aws:region`; the
endpoint from AWS_ENDPOINT_URL_SSM or AWS_ENDPOINT_URL (moto in tests and the e2e). Errors are
translated into CannotRead with our own words: botocore's messages are never passed on.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from stages.hop import CannotRead
from stages.redaction import Redactor, digest_of

ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL")
# Fail in seconds, not minutes, when SSM is unreachable: verify is run by a person waiting.
CLIENT_CONFIG = Config(
    connect_timeout=5, read_timeout=10, retries={"max_attempts": 2, "mode": "standard"}
)
ACTIONS = {
    "DescribeParameters": "ssm:DescribeParameters",
    "ListTagsForResource": "ssm:ListTagsForResource",
    "GetParameter": "ssm:GetParameter",
}
_HEX = re.compile(r"^[0-9a-f]+$")


@dataclass(frozen=True)
class ParameterFacts:
    """The parameter as SSM describes it; `digest`/`shape` None when the value was unreadable
    (then `value_problem` says why)."""

    name: str
    type: str
    key_id: str | None
    version: int
    last_modified: datetime
    tags: Mapping[str, str]
    digest: str | None
    shape: str | None
    value_problem: CannotRead | None = None


def ssm_client(region: str | None, environ: Mapping[str, str] | None = None) -> Any:
    """A boto3 SSM client as described above (boto3 is untyped, hence Any)."""
    env = os.environ if environ is None else environ
    endpoint = next((env[name] for name in ENDPOINT_VARIABLES if env.get(name)), None)
    try:
        return boto3.session.Session().client(
            "ssm", region_name=region, endpoint_url=endpoint, config=CLIENT_CONFIG
        )
    except NoRegionError:
        raise CannotRead(
            "no AWS region",
            "the stack sets no aws:region and the environment has no AWS_REGION",
            "pulumi config set aws:region <region>",
        ) from None
    except BotoCoreError as error:  # ProfileNotFound, a broken config file, ...
        raise CannotRead(
            f"no SSM client ({type(error).__name__})",
            "boto3 cannot set up a client from this environment (AWS_PROFILE, ~/.aws/config)",
            "aws configure list   (shows which profile and credentials boto3 would use)",
        ) from None


def shape_of(value: str) -> str:
    """The value in words a reader can check against "64 hex characters", revealing nothing."""
    kind = "hex characters" if _HEX.fullmatch(value) else "characters"
    return f"{len(value)} {kind}"


def read_parameter(
    client: Any, name: str, redactor: Redactor, permissions_fix: str
) -> ParameterFacts | None:
    """The parameter's facts, or None when it does not exist.

    `permissions_fix` is the command that prints what to grant, named in an access denial.
    """
    call = _Caller(client, name, permissions_fix)
    described = call(
        "DescribeParameters",
        ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}],
    )["Parameters"]
    if not described:
        return None
    detail = described[0]
    tags = call("ListTagsForResource", ResourceType="Parameter", ResourceId=name)
    digest = shape = None
    problem: CannotRead | None = None
    try:
        value = call("GetParameter", Name=name, WithDecryption=True)["Parameter"]["Value"]
    except CannotRead as error:
        problem = error
    else:
        redactor.add(value)
        digest, shape = digest_of(value.encode()), shape_of(value)
        del value
    return ParameterFacts(
        name=detail["Name"],
        type=detail["Type"],
        key_id=detail.get("KeyId"),
        version=int(detail.get("Version", 0)),
        last_modified=detail["LastModifiedDate"],
        tags={tag["Key"]: tag["Value"] for tag in tags.get("TagList", [])},
        digest=digest,
        shape=shape,
        value_problem=problem,
    )


@dataclass(frozen=True)
class _Caller:
    """One SSM call at a time, its failures in our words."""

    client: Any
    name: str
    permissions_fix: str

    def __call__(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        method = re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()
        try:
            result: dict[str, Any] = getattr(self.client, method)(**kwargs)
        except ClientError as error:
            raise _client_error(error, operation, self.name, self.permissions_fix) from None
        except NoCredentialsError:
            raise CannotRead(
                "no AWS credentials",
                "boto3 found no credentials (environment, profile, SSO, instance role)",
                "export AWS_PROFILE=<a profile allowed what --print-permissions lists>",
            ) from None
        except BotoCoreError as error:
            # The class name says what went wrong (EndpointConnectionError, ...); the endpoint
            # is ours to name; botocore's message is not repeated.
            endpoint = self.client.meta.endpoint_url
            raise CannotRead(
                f"cannot reach SSM at {endpoint} ({type(error).__name__})",
                "the SSM endpoint is unreachable from here (network, proxy, or a wrong "
                "AWS_ENDPOINT_URL_SSM / AWS_ENDPOINT_URL)",
                f"aws ssm describe-parameters --max-results 1 --endpoint-url {endpoint}",
            ) from None
        return result


def _client_error(
    error: ClientError, operation: str, name: str, permissions_fix: str
) -> CannotRead:
    code = str(error.response.get("Error", {}).get("Code", "Unknown"))
    message = str(error.response.get("Error", {}).get("Message", ""))
    if code in ("AccessDeniedException", "AccessDenied") or "kms" in code.lower():
        action = "kms:Decrypt" if "kms" in (code + message).lower() else ACTIONS[operation]
        return CannotRead(
            f"AWS denies {action} on {name} ({code})",
            f"verify's AWS identity may not {action} on the parameter {name}",
            f"{permissions_fix}   (grant the IAM policy it prints)",
        )
    if code in ("UnrecognizedClientException", "InvalidClientTokenId", "ExpiredTokenException"):
        return CannotRead(
            f"AWS rejects the credentials ({code})",
            "the credentials boto3 found are invalid or expired",
            "aws sts get-caller-identity   (then refresh the credentials, e.g. aws sso login)",
        )
    return CannotRead(
        f"SSM {operation} on {name} failed: {code}",
        f"SSM answered {code} to {ACTIONS[operation]}",
        f"aws ssm describe-parameters --parameter-filters Key=Name,Values={name}",
    )
