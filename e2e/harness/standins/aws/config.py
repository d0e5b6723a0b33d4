"""The provider's configuration (`aws:*` config): which region, which endpoint, which credentials.

Why it refuses so readily: a stand-in that silently reached real AWS, or silently ignored a
setting that changes what lands in AWS (default tags, an assumed role), would make the e2e lie.
So an SSM endpoint must be given explicitly, and the few behaviour-changing settings the stand-in
does not implement are errors that name it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from e2e.harness.standins.aws import LABEL
from e2e.harness.standins.model import StandinError

# Settings of the real provider that change what it does and that the stand-in does not do.
UNSUPPORTED = (
    "allowedAccountIds",
    "assumeRole",
    "assumeRoleWithWebIdentity",
    "defaultTags",
    "forbiddenAccountIds",
    "ignoreTags",
)
# Where boto3 itself looks for a service endpoint (botocore's service-specific variable first).
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL")
REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")
# moto accepts any credentials; these are used only when nothing else is configured.
PLACEHOLDER_CREDENTIALS = ("standin", "standin")
# Where the credentials check's STS call goes (one local API serves every service).
STS_ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL")
TRUE = ("1", "true", "True", "TRUE")


class ConfigError(StandinError):
    """The configuration cannot be served by the stand-in; the message says what to set."""


@dataclass(frozen=True)
class ProviderConfig:
    """What every SSM call needs; `region` may be None when each resource names its own."""

    endpoint: str
    region: str | None
    access_key: str | None = None
    secret_key: str | None = None
    token: str | None = None

    def region_for(self, resource_region: str | None) -> str:
        """The resource's own `region` input wins (pulumi-aws v7), then the provider's."""
        region = resource_region or self.region
        if not region:
            raise ConfigError(
                f"{LABEL}: no region: set aws:region, AWS_REGION or the resource's `region`"
            )
        return region


def parse_config(args: Mapping[str, Any], environ: Mapping[str, str]) -> ProviderConfig:
    """Build the configuration from Configure's (plain) args and the plugin's environment."""
    refused = sorted(key for key in UNSUPPORTED if args.get(key) not in (None, "", [], {}))
    if refused:
        raise ConfigError(f"{LABEL} does not implement aws:{', aws:'.join(refused)}")
    return ProviderConfig(
        endpoint=_endpoint(args.get("endpoints"), environ),
        region=_text(args.get("region")) or _first(environ, REGION_VARIABLES),
        access_key=_text(args.get("accessKey")),
        secret_key=_text(args.get("secretKey")),
        token=_text(args.get("token")),
    )


def _endpoint(endpoints: Any, environ: Mapping[str, str]) -> str:
    """`aws:endpoints` [{ssm: URL}] first, then the variables boto3 honours; else refuse."""
    configured = _ssm_endpoint(endpoints)
    endpoint = configured or _first(environ, ENDPOINT_VARIABLES)
    if not endpoint:
        raise ConfigError(
            f"{LABEL} only talks to a local AWS API (moto) and refuses to reach real AWS: set "
            "AWS_ENDPOINT_URL_SSM (or AWS_ENDPOINT_URL, or aws:endpoints [{ssm: URL}])"
        )
    return endpoint


def _ssm_endpoint(endpoints: Any) -> str | None:
    """The `ssm` entry of `aws:endpoints`, which arrives as JSON text or as a list of maps."""
    if isinstance(endpoints, str):
        endpoints = json.loads(endpoints) if endpoints.strip() else None
    if isinstance(endpoints, dict):
        endpoints = [endpoints]
    for entry in endpoints or []:
        if isinstance(entry, dict) and entry.get("ssm"):
            return str(entry["ssm"])
    return None


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _first(environ: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    return next((environ[name] for name in names if environ.get(name)), None)


def ssm_client(config: ProviderConfig, region: str) -> Any:
    """A boto3 SSM client for `region` at the configured endpoint.

    Credentials: the configured ones, else boto3's usual chain, else placeholders (moto does not
    check them, and the endpoint is never real AWS, see `parse_config`).
    """
    return _session(config, region).client("ssm", region_name=region, endpoint_url=config.endpoint)


def _session(config: ProviderConfig, region: str) -> Any:
    session = boto3.session.Session(
        aws_access_key_id=config.access_key,
        aws_secret_access_key=config.secret_key,
        aws_session_token=config.token,
        region_name=region,
    )
    if session.get_credentials() is None:
        key, secret = PLACEHOLDER_CREDENTIALS
        session = boto3.session.Session(
            aws_access_key_id=key, aws_secret_access_key=secret, region_name=region
        )
    return session


def credentials_problem(args: Mapping[str, Any], environ: Mapping[str, str]) -> str | None:
    """Why the credentials cannot be validated, or None: what the real provider checks first.

    pulumi-aws calls STS GetCallerIdentity in CheckConfig, before any resource, in `preview`
    and `up` alike, unless `aws:skipCredentialsValidation` (or AWS_SKIP_CREDENTIALS_VALIDATION)
    is true; so an unreachable AWS API fails the run at once, naming the endpoint, instead of
    halfway through. Three attempts, as the real provider's SDK makes.
    """
    skip = args.get("skipCredentialsValidation")
    if str(skip) in TRUE or environ.get("AWS_SKIP_CREDENTIALS_VALIDATION") in TRUE:
        return None
    config = parse_config(args, environ)
    endpoint = _first(environ, STS_ENDPOINT_VARIABLES) or config.endpoint
    region = config.region or "us-east-1"
    session = _session(config, region)
    sts = session.client(
        "sts",
        region_name=region,
        endpoint_url=endpoint,
        config=BotoConfig(
            connect_timeout=5, read_timeout=10, retries={"max_attempts": 3, "mode": "standard"}
        ),
    )
    try:
        sts.get_caller_identity()
    except (BotoCoreError, ClientError) as error:
        return (
            f"{LABEL}: unable to validate AWS credentials (STS GetCallerIdentity at {endpoint}, "
            f"as pulumi-aws does unless aws:skipCredentialsValidation is true): {error}"
        )
    return None
