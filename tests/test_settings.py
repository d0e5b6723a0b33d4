"""Every validation rule: one bad value per key → an error naming the key, nothing registered."""

from __future__ import annotations

from typing import Any

import pytest

from components.settings import ConfigError, Settings, parse_settings
from tools.mock_runtime import ProgramFailed, run_program

BAD_VALUES: list[tuple[str, Any, str]] = [
    # (key path, bad value, words the message must contain)
    ("namespace", "OpenClaw", "DNS-1123 label"),
    ("namespace", "a" * 64, "at most 63"),
    ("token.parameterName", "lolice/openclaw/TOKEN", "fully qualified SSM parameter name"),
    ("token.parameterName", "/lolice/open claw", "fully qualified SSM parameter name"),
    ("token.parameterName", "/aws/openclaw/TOKEN", "reserves names that begin with 'aws'"),
    ("token.parameterName", "/" + "/".join("abcdefghijklmnop"), "at most 15 hierarchy levels"),
    ("token.rotation", "R2", "short DNS label"),
    ("token.rotation", "x" * 21, "short DNS label"),
    ("token.kmsKeyId", "my key", "KMS key id"),
    ("token.retainOnDestroy", "yes", "true or false"),
    ("token.description", "d" * 1025, "at most 1024"),
    ("token.tags", ["app"], "map of tag names"),
    ("token.tags", {"aws:owner": "x"}, "may not start with 'aws:'"),
    ("token.tags", {"team": "a|b"}, "tag values"),
    ("externalSecret.name", "Openclaw_Cron", "DNS-1123 name"),
    ("externalSecret.secretName", "x" * 251, "including the rotation suffix"),
    ("externalSecret.secretKey", "OPENCLAW TOKEN", "data key"),
    ("externalSecret.storeName", "Param_Store", "DNS-1123 name"),
    ("externalSecret.storeKind", "ClusterStore", "ClusterSecretStore or SecretStore"),
    ("externalSecret.refreshInterval", "1d", "Go duration"),
    ("externalSecret.refreshInterval", "hourly", "Go duration"),
    ("deployment.name", "OpenClaw", "DNS-1123 name"),
    ("deployment.container", "open.claw", "DNS-1123 label"),
    ("deployment.envName", "openclaw_cron_webhook_token", "^[A-Z_][A-Z0-9_]*$"),
    ("deployment.envName", "1TOKEN", "^[A-Z_][A-Z0-9_]*$"),
    ("config.configMap", "openclaw config", "DNS-1123 name"),
    ("config.key", "openclaw/json", "data key"),
    ("cron.enabled", "true", "true or false"),
    ("cron.sessionRetention", "7 days", "not an OpenClaw duration"),
    ("cron.sessionRetention", "0d", "prune every session"),
    ("cron.sessionRetention", "0.0h", "prune every session"),
    ("cron.sessionRetention", 7, "duration string"),
    ("cron.sessionRetention", True, "duration string"),
]


def config_with(path: str, value: Any) -> dict[str, Any]:
    top, _, leaf = path.partition(".")
    return {top: {leaf: value}} if leaf else {top: value}


@pytest.mark.parametrize(("path", "value", "words"), BAD_VALUES)
def test_bad_value_is_refused_before_any_resource(path: str, value: Any, words: str) -> None:
    with pytest.raises(ProgramFailed) as failed:
        run_program(config_with(path, value))
    error = failed.value.cause
    assert isinstance(error, ConfigError)
    assert len(error.issues) == 1, str(error)
    issue = error.issues[0]
    assert issue.key.split(".")[:2] == path.split(".")[:2]
    message = str(error)
    assert f"openclaw-cron-webhook:{issue.key} = " in message
    assert words in message
    assert "fix: pulumi config" in message
    assert "nothing was registered" in message
    assert failed.value.recording.registrations == []


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as failed:
        parse_settings({"namespace": "Bad", "cron": {"sessionRetention": "0h", "enabled": 1}})
    assert [issue.key for issue in failed.value.issues] == [
        "namespace",
        "cron.enabled",
        "cron.sessionRetention",
    ]


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"namesapce": "openclaw"}, "namesapce"),
        ({"cron": {"sessionRetension": "7d"}}, "cron.sessionRetension"),
        ({"token": "abc"}, "token"),
    ],
)
def test_unknown_or_misshapen_keys_are_errors_not_ignored(raw: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as failed:
        parse_settings(raw)
    assert [issue.key for issue in failed.value.issues] == [key]


def test_a_misspelt_top_level_key_is_seen_through_pulumi_config() -> None:
    with pytest.raises(ProgramFailed) as failed:
        run_program({"sesionRetention": "7d"})
    assert "openclaw-cron-webhook:sesionRetention" in str(failed.value.cause)


@pytest.mark.parametrize(
    ("raw", "check"),
    [
        ({"cron": {"sessionRetention": False}}, lambda s: s.cron.session_retention is False),
        ({"cron": {"sessionRetention": "1.5h"}}, lambda s: s.cron.session_retention == "1.5h"),
        ({"cron": {"sessionRetention": "36"}}, lambda s: s.cron.session_retention == "36"),
        ({"externalSecret": {"refreshInterval": "1h30m"}}, lambda s: True),
        ({"externalSecret": {"refreshInterval": "0"}}, lambda s: True),
        ({"token": {"kmsKeyId": "alias/openclaw"}}, lambda s: s.token.kms_key_id),
        ({"token": {"rotation": 3}}, lambda s: s.secret_name == "openclaw-cron-webhook-r3"),
        ({"token": {"rotation": "2026-11"}}, lambda s: s.token.rotation == "2026-11"),
    ],
)
def test_accepted_edge_values(raw: dict[str, Any], check: Any) -> None:
    assert check(parse_settings(raw))


def test_defaults_are_the_reference_deployment() -> None:
    settings = parse_settings({})
    assert settings == Settings()
    assert settings.external_secret_name == "openclaw-cron-webhook-r1"
    assert settings.cron_section() == {
        "enabled": True,
        "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}",
        "sessionRetention": "7d",
    }
