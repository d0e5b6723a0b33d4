"""`aws:ssm/parameter:Parameter`: the one resource the stand-in implements, as plain functions.

Why it mirrors terraform-provider-aws's `aws_ssm_parameter` (what pulumi-aws bridges) and not a
simpler idea of a parameter: the e2e exists to show what the real engine does with the stack, so
the decisions the engine acts on must be the real provider's: which input changes replace the
parameter and which update it in place, that `value` is always a secret, that Overwrite and Tags
cannot go in one PutParameter call, that a parameter gone from AWS disappears on refresh.

Everything here works on plain values (secrets already unwrapped by the caller, see
`e2e.harness.standins.values`) and an SSM client object, so it can be tested without gRPC and, for
the pure parts, without moto.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from e2e.harness.standins.model import Diff, StandinError
from e2e.harness.standins.values import UNKNOWN, Props, is_unknown

PARAMETER_TYPES = ("String", "StringList", "SecureString")
TIERS = ("Standard", "Advanced", "Intelligent-Tiering")
DATA_TYPES = ("text", "aws:ec2:image", "aws:ssm:integration")

# terraform-provider-aws: `name` and `data_type` are ForceNew (tools/plan/resources.py models the
# same); pulumi-aws v7's per-resource `region` moves the parameter, so it replaces too.
REPLACE_ON = ("name", "dataType", "region")
# Everything else a user sets is written in place (PutParameter with Overwrite, or tag calls).
UPDATE_ON = (
    "type",
    "value",
    "insecureValue",
    "description",
    "tags",
    "keyId",
    "tier",
    "allowedPattern",
    "overwrite",
)
# Optional+Computed in the real schema: leaving one out of the program keeps the live value.
COMPUTED_INPUTS = ("dataType", "keyId", "tier", "insecureValue")
# Write-only inputs of the real provider; the stand-in refuses them rather than fake them.
WRITE_ONLY = ("valueWo", "valueWoVersion")
# What the pulumi_aws SDK registers as additional secret outputs (valueWo is refused above).
SECRET_OUTPUTS = ("value",)
TAGGING = {"ResourceType": "Parameter"}


@dataclass(frozen=True)
class Live:
    """The parameter as SSM reports it (GetParameter + DescribeParameters + its tags)."""

    name: str
    type: str
    value: str
    version: int
    arn: str
    data_type: str
    tier: str
    key_id: str | None = None
    description: str | None = None
    allowed_pattern: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


# --- Check -------------------------------------------------------------------------------------


def autoname(resource_name: str, random_seed: bytes) -> str:
    """The bridge's autoname: the resource name plus 7 random hex characters.

    Why seeded: the engine sends the same seed for the same resource, so a preview and the
    following up propose the same name (no spurious replacement).
    """
    seed = random_seed or secrets.token_bytes(16)
    return f"{resource_name}-{hashlib.sha256(seed).hexdigest()[:7]}"


def check(
    news_raw: Props, news: Props, resource_name: str, random_seed: bytes
) -> tuple[Props, list[tuple[str, str]]]:
    """Inputs to keep (the raw ones, secrets still wrapped, plus an autoname) and failures."""
    inputs = dict(news_raw)
    if news.get("name") in (None, ""):
        inputs["name"] = autoname(resource_name, random_seed)
    return inputs, failures(news)


def failures(news: Props) -> list[tuple[str, str]]:
    """What the real schema would reject, as (property, reason); unknown values pass."""
    found: list[tuple[str, str]] = []
    kind = news.get("type")
    if kind is None:
        found.append(("type", "missing required property 'type'"))
    elif not is_unknown(kind) and kind not in PARAMETER_TYPES:
        found.append(("type", f"expected one of {', '.join(PARAMETER_TYPES)}, got {kind!r}"))
    given = [key for key in ("value", "insecureValue") if news.get(key) is not None]
    if len(given) != 1:
        found.append(("value", "exactly one of 'value' or 'insecureValue' must be set"))
    if kind == "SecureString" and news.get("insecureValue") is not None:
        found.append(("insecureValue", "cannot be used with type SecureString"))
    found += _choice(news, "tier", TIERS) + _choice(news, "dataType", DATA_TYPES)
    found += [
        (key, "write-only values are not implemented by the aws stand-in (moto); use 'value'")
        for key in WRITE_ONLY
        if news.get(key) is not None
    ]
    return found


def _choice(news: Props, key: str, allowed: tuple[str, ...]) -> list[tuple[str, str]]:
    value = news.get(key)
    if value is None or is_unknown(value) or value in allowed:
        return []
    return [(key, f"expected one of {', '.join(allowed)}, got {value!r}")]


# --- Diff --------------------------------------------------------------------------------------


def diff(old_inputs: Props, old_outputs: Props, news: Props) -> Diff:
    """Compare what the program asked for last time with what it asks for now.

    Why inputs, not outputs: outputs hold computed values (keyId alias/aws/ssm, tier Standard)
    the program never set; comparing against them would show changes nobody made. Old engines
    or imported state may have no old inputs: then outputs stand in, and keys the program does
    not set are skipped as computed.
    """
    base = old_inputs or old_outputs
    replaces: list[str] = []
    updates: list[str] = []
    kinds: dict[str, str] = {}
    for key in REPLACE_ON + UPDATE_ON:
        if not old_inputs and key not in news:
            continue
        old, new = _normal(base.get(key)), _normal(news.get(key))
        if old == new or _suppressed(key, old, new):
            continue
        kinds[key] = "add" if old is None else "delete" if new is None else "update"
        forced = key in REPLACE_ON or (key == "tier" and old == "Advanced" and new == "Standard")
        (replaces if forced else updates).append(key)
    same_name = _normal(news.get("name")) == _normal(base.get("name") or old_outputs.get("name"))
    return Diff(tuple(replaces), tuple(updates), kinds, bool(replaces) and same_name)


def _normal(value: Any) -> Any:
    """Empty and unset are the same thing to the real provider (Terraform has no empty)."""
    return None if value in (None, "", {}, []) else value


def _suppressed(key: str, old: Any, new: Any) -> bool:
    """The real schema's leniencies: a computed input left out keeps the live value, and a tier
    of Intelligent-Tiering accepts whatever tier SSM picked."""
    if key in COMPUTED_INPUTS and new is None:
        return True
    return key == "tier" and old is not None and new == "Intelligent-Tiering"


# --- Calls to SSM ------------------------------------------------------------------------------


def put_request(inputs: Props, *, overwrite: bool, with_tags: bool) -> dict[str, Any]:
    """PutParameter's arguments for these inputs.

    Why `with_tags` is separate: SSM rejects Tags together with Overwrite=True ("tags and
    overwrite can't be used together"), so tags then go through AddTagsToResource.
    """
    value = inputs.get("insecureValue") or inputs.get("value")
    request: dict[str, Any] = {
        "Name": inputs["name"],
        "Type": inputs["type"],
        "Value": value,
        "Overwrite": overwrite,
    }
    optional = {
        "Description": "description",
        "Tier": "tier",
        "DataType": "dataType",
        "AllowedPattern": "allowedPattern",
    }
    request |= {arg: inputs[key] for arg, key in optional.items() if inputs.get(key)}
    if inputs.get("keyId") and inputs["type"] == "SecureString":
        request["KeyId"] = inputs["keyId"]
    if with_tags and inputs.get("tags"):
        request["Tags"] = _tag_list(inputs["tags"])
    return request


def create(client: Any, inputs: Props) -> Live:
    """PutParameter (tags included unless `overwrite` was asked for), then read it back."""
    overwrite = bool(inputs.get("overwrite"))
    client.put_parameter(**put_request(inputs, overwrite=overwrite, with_tags=not overwrite))
    if overwrite and inputs.get("tags"):
        client.add_tags_to_resource(
            **TAGGING, ResourceId=inputs["name"], Tags=_tag_list(inputs["tags"])
        )
    return _read_back(client, inputs["name"])


def update(client: Any, old_outputs: Props, news: Props, changes: Diff) -> Live:
    """Write what changed in place: PutParameter with Overwrite for anything but tags, then the
    tag difference against what the last operation saw in SSM."""
    if set(changes.updates) - {"tags", "overwrite"}:
        # Without Tier SSM falls back to Standard, which an Advanced parameter refuses.
        inputs = dict(news) | {"tier": news.get("tier") or old_outputs.get("tier")}
        request = put_request(inputs, overwrite=True, with_tags=False)
        if "description" in changes.updates:
            request["Description"] = news.get("description") or ""
        client.put_parameter(**request)
    _retag(client, news["name"], old_outputs.get("tags") or {}, news.get("tags") or {})
    return _read_back(client, news["name"])


def _retag(client: Any, name: str, old: Mapping[str, str], new: Mapping[str, str]) -> None:
    gone = sorted(set(old) - set(new))
    changed = {key: value for key, value in new.items() if old.get(key) != value}
    if gone:
        client.remove_tags_from_resource(**TAGGING, ResourceId=name, TagKeys=gone)
    if changed:
        client.add_tags_to_resource(**TAGGING, ResourceId=name, Tags=_tag_list(changed))


def read(client: Any, name: str) -> Live | None:
    """The parameter as SSM has it now (value decrypted), or None when it is gone."""
    try:
        parameter = client.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    except ClientError as error:
        if _code(error) == "ParameterNotFound":
            return None
        raise
    described = client.describe_parameters(
        ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [name]}]
    )["Parameters"]
    detail = described[0] if described else {}
    tags = client.list_tags_for_resource(**TAGGING, ResourceId=name)["TagList"]
    return Live(
        name=parameter["Name"],
        type=parameter["Type"],
        value=parameter["Value"],
        version=int(parameter["Version"]),
        arn=parameter["ARN"],
        data_type=parameter.get("DataType") or detail.get("DataType") or "text",
        tier=detail.get("Tier") or "Standard",
        key_id=detail.get("KeyId"),
        description=detail.get("Description"),
        allowed_pattern=detail.get("AllowedPattern"),
        tags={tag["Key"]: tag["Value"] for tag in tags},
    )


def delete(client: Any, name: str) -> bool:
    """DeleteParameter; a parameter already gone is what was wanted (returns False then)."""
    try:
        client.delete_parameter(Name=name)
    except ClientError as error:
        if _code(error) == "ParameterNotFound":
            return False
        raise
    return True


def _read_back(client: Any, name: str) -> Live:
    live = read(client, name)
    if live is None:
        raise StandinError(f"parameter {name} vanished right after it was written")
    return live


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": str(value)} for key, value in sorted(tags.items())]


# --- Properties handed back to the engine --------------------------------------------------------


def outputs(inputs: Props, live: Live, region: str) -> Props:
    """State after an operation: the inputs, overlaid with what SSM reports.

    Plain values: the caller marks `SECRET_OUTPUTS` (and any input that was secret) secret.
    """
    insecure = inputs.get("insecureValue") is not None
    out = {key: value for key, value in inputs.items() if key not in WRITE_ONLY}
    out |= {
        "name": live.name,
        "type": live.type,
        "value": live.value,
        "insecureValue": live.value if insecure else None,
        "arn": live.arn,
        "version": live.version,
        "dataType": live.data_type,
        "tier": live.tier,
        "tags": dict(live.tags) if live.tags else inputs.get("tags"),
        "tagsAll": dict(live.tags),
        "region": region,
    }
    described = {
        "keyId": live.key_id,
        "description": live.description,
        "allowedPattern": live.allowed_pattern,
    }
    out |= {key: value for key, value in described.items() if value is not None}
    return out


def refreshed_inputs(old_inputs: Props, live: Live) -> Props:
    """The inputs that would produce what SSM holds now, so that refresh reports drift.

    Keys the program sets are taken from SSM (a value edited by hand shows as a change); computed
    keys only where the program had set them.
    """
    seen = {
        "name": live.name,
        "type": live.type,
        "description": live.description,
        "tags": dict(live.tags) or None,
        "allowedPattern": live.allowed_pattern,
    }
    seen["insecureValue" if old_inputs.get("insecureValue") is not None else "value"] = live.value
    computed = {"keyId": live.key_id, "tier": live.tier, "dataType": live.data_type}
    seen |= {key: value for key, value in computed.items() if key in old_inputs}
    merged = dict(old_inputs) | seen
    return {key: value for key, value in merged.items() if value is not None or key in old_inputs}


def preview_create(inputs: Props, region: str) -> Props:
    """What a create will produce, with what only SSM can tell left unknown."""
    out = {key: value for key, value in inputs.items() if key not in WRITE_ONLY}
    out |= {"arn": UNKNOWN, "version": UNKNOWN, "tagsAll": inputs.get("tags") or {}}
    out |= {"region": region, "insecureValue": inputs.get("insecureValue")}
    for key in ("tier", "dataType") + (("keyId",) if inputs.get("type") == "SecureString" else ()):
        out[key] = inputs.get(key) or UNKNOWN
    return out


def preview_update(old_outputs: Props, news: Props, changes: Diff) -> Props:
    """What an update will produce: the new inputs over the old state; a new version unless
    only tags change."""
    out = dict(old_outputs) | {key: value for key, value in news.items() if value is not None}
    out["tagsAll"] = news.get("tags") or {}
    if set(changes.updates) - {"tags", "overwrite"}:
        out["version"] = UNKNOWN
    return out
