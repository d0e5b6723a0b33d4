"""Every length and size limit, exactly at the limit (accepted) and one past it (refused).

The limits are the downstream systems': Kubernetes names and labels, AWS SSM names and tags,
KMS key ids, ESO's Go durations, OpenClaw's durations and integers. Off by one in our check
means either a `pulumi up` that AWS or Kubernetes refuses halfway, or a legal value refused.
"""

from __future__ import annotations

from typing import Any

import pytest

from stack.settings import ConfigError, parse_settings
from tools.plan.mock_runtime import run_program

MAX_SAFE_INTEGER = 2**53 - 1  # JavaScript's, which OpenClaw's parsers use


def config_with(path: str, value: Any) -> dict[str, Any]:
    for key in reversed(path.split(".")):
        value = {key: value}
    result: dict[str, Any] = value
    return result


def refused_keys(raw: dict[str, Any]) -> list[str]:
    try:
        parse_settings(raw)
    except ConfigError as error:
        return [issue.key for issue in error.issues]
    return []


# (config path, longest/largest accepted value, the same one step past the limit)
LIMITS: list[tuple[str, Any, Any]] = [
    ("namespace", "n" * 63, "n" * 64),
    ("deployment.container", "c" * 63, "c" * 64),
    ("token.rotation", "r" * 20, "r" * 21),
    # Names get "-r1" appended: 250 + 3 = 253.
    ("externalSecret.name", "e" * 250, "e" * 251),
    ("externalSecret.secretName", "s" * 250, "s" * 251),
    ("externalSecret.secretKey", "K" * 253, "K" * 254),
    ("externalSecret.storeName", "p" * 253, "p" * 254),
    ("externalSecret.refreshInterval", "0" * 61 + "1ms", "0" * 62 + "1ms"),
    # Go's time.Duration: 2**63 - 1 ns, however it is written
    ("externalSecret.refreshInterval", "2562047h47m16.854775807s", "2562047h47m16.854775808s"),
    ("externalSecret.refreshInterval", "9223372036854775807ns", "9223372036854775808ns"),
    ("externalSecret.refreshInterval", "153722867m", "153722868m"),
    (
        "cron",
        {"webhookSsrfPolicy": {"allowedHostnames": ["h" * 65489]}},  # 65,536 bytes as JSON
        {"webhookSsrfPolicy": {"allowedHostnames": ["h" * 65490]}},
    ),
    (  # counted in UTF-8, as the ConfigMap holds it: "é" is 2 bytes, not 6 of "\u00e9"
        "cron",
        {"webhookSsrfPolicy": {"allowedHostnames": ["h" + "é" * 32744]}},  # 65,536 bytes
        {"webhookSsrfPolicy": {"allowedHostnames": ["hh" + "é" * 32744]}},
    ),
    ("deployment.name", "d" * 253, "d" * 254),
    ("deployment.envName", "E" * 253, "E" * 254),
    ("config.configMap", "m" * 253, "m" * 254),
    ("config.key", "k" * 253, "k" * 254),
    # 955 + the longest ARN before the name (56: arn:aws-iso-f:ssm:us-isof-south-1:<12>:parameter)
    ("token.parameterName", "/" + "p" * 954, "/" + "p" * 955),
    ("token.parameterName", "/p" * 15, "/p" * 16),
    ("token.kmsKeyId", "alias/" + "k" * 2042, "alias/" + "k" * 2043),
    ("token.description", "d" * 1024, "d" * 1025),
    ("token.tags", {"t" * 128: "v"}, {"t" * 129: "v"}),
    ("token.tags", {"team": "v" * 256}, {"team": "v" * 257}),
    ("cron.sessionRetention", f"{MAX_SAFE_INTEGER}ms", f"{MAX_SAFE_INTEGER + 1}ms"),
    ("cron.failureAlert.after", MAX_SAFE_INTEGER, MAX_SAFE_INTEGER + 1),
]
IDS = [f"{path}-{index}" for index, (path, _, _) in enumerate(LIMITS)]


@pytest.mark.parametrize(("path", "at_limit", "past_limit"), LIMITS, ids=IDS)
def test_a_value_at_the_limit_is_accepted(path: str, at_limit: Any, past_limit: Any) -> None:
    assert refused_keys(config_with(path, at_limit)) == []


@pytest.mark.parametrize(("path", "at_limit", "past_limit"), LIMITS, ids=IDS)
def test_one_past_the_limit_is_refused(path: str, at_limit: Any, past_limit: Any) -> None:
    keys = refused_keys(config_with(path, past_limit))

    assert len(keys) == 1
    assert keys[0].startswith(path)


def test_the_rotation_suffix_counts_toward_the_name_limits() -> None:
    """Rotation "12345" makes the suffix "-r12345": 246 + 7 = 253."""
    for key in ("name", "secretName"):
        at_limit = {"token": {"rotation": "12345"}, "externalSecret": {key: "e" * 246}}
        past_limit = {"token": {"rotation": "12345"}, "externalSecret": {key: "e" * 247}}

        assert refused_keys(at_limit) == []
        assert refused_keys(past_limit) == [f"externalSecret.{key}"]


def test_a_bad_rotation_is_not_reported_again_through_the_names() -> None:
    """With the rotation refused, the names are measured with the default suffix "-r1"."""
    raw = {"token": {"rotation": "R" * 30}, "externalSecret": {"name": "e" * 250}}

    assert refused_keys(raw) == ["token.rotation"]


@pytest.mark.parametrize("name", ["/Xssm/token", "/openclaw/aws-token", "/X" + "/p" * 14])
def test_only_the_first_level_is_checked_for_reserved_prefixes(name: str) -> None:
    """AWS reserves names *beginning* with aws or ssm; the name of 15 levels is at the limit."""
    assert refused_keys({"token": {"parameterName": name}}) == []


@pytest.mark.parametrize(
    ("path", "smallest"), [("token.tags", {"t": "v"}), ("token.rotation", "r")]
)
def test_a_one_character_value_is_accepted(path: str, smallest: Any) -> None:
    assert refused_keys(config_with(path, smallest)) == []


def test_an_empty_tag_name_is_refused() -> None:
    assert refused_keys({"token": {"tags": {"": "v"}}}) == ['token.tags[""]']


def test_a_numeric_rotation_from_yaml_is_the_same_label() -> None:
    """`rotation: 2` in the stack file arrives as a number; it names the pair `-r2`."""
    settings = parse_settings({"token": {"rotation": 2}})

    assert (settings.token.rotation, settings.secret_name) == ("2", "openclaw-cron-webhook-r2")


@pytest.mark.parametrize("rotation", [True, 2.0, ["2"]], ids=["bool", "float", "list"])
def test_a_rotation_that_is_no_label_is_refused_as_given(rotation: Any) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_settings({"token": {"rotation": rotation}})

    (issue,) = raised.value.issues
    assert (issue.key, issue.value) == ("token.rotation", rotation)


def test_host_lists_are_written_as_given_in_their_order() -> None:
    settings = parse_settings(
        {"cron": {"webhookSsrfPolicy": {"allowedHostnames": ["b.svc", "a.svc"]}}}
    )

    section = settings.cron_section()
    assert section["webhookSsrfPolicy"] == {"allowedHostnames": ["b.svc", "a.svc"]}


def test_a_numeric_looking_namespace_stays_a_string() -> None:
    """Pulumi hands every value over as text; only structured values are JSON-decoded."""
    run = run_program({"namespace": "2024"})

    section = next(r for r in run.resources if r.type.endswith(":JsonSection"))
    assert section.inputs["namespace"] == "2024"
