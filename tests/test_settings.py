"""Every validation rule: one bad value per key → an error naming the key, nothing registered."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest

from stack import settings as settings_module
from stack.settings import ConfigError, Settings, cron_schema, parse_settings
from tools.plan.mock_runtime import ProgramFailed, run_program

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
    # `cron`: OpenClaw's schema (vendored) decides; the words are ours.
    ("cron.enabled", "true", "must be true or false"),
    ("cron.skipMissedJobs", 1, "must be true or false"),
    ("cron.triggers", True, "must be an object"),
    ("cron.triggers.enabled", "on", "must be true or false"),
    ("cron.sessionRetention", "7 days", "not an OpenClaw duration"),
    ("cron.sessionRetention", "1h 30m", "not an OpenClaw duration"),
    ("cron.sessionRetention", 7, "must be a string or false"),
    ("cron.sessionRetention", True, "must be a string or false"),
    ("cron.webhookSsrfPolicy.allowedHostnames", "receiver.svc", "must be a list of strings"),
    ("cron.webhookSsrfPolicy.allowPrivateNetwork", True, "is not a key of"),
    ("cron.failureAlert.mode", "email", 'must be one of "announce", "webhook"'),
    ("cron.failureAlert.after", 0, "must be at least 1"),
    ("cron.failureAlert.cooldownMs", 1.5, "must be a whole number"),
    ("cron.webhookToken", "${OPENCLAW_CRON_WEBHOOK_TOKEN}", "is set by the stack itself"),
]


def config_with(path: str, value: Any) -> dict[str, Any]:
    """{"a": {"b": {"c": value}}} for "a.b.c": the shape Pulumi hands over for a --path key."""
    for key in reversed(path.split(".")):
        value = {key: value}
    result: dict[str, Any] = value
    return result


@pytest.mark.parametrize(("path", "value", "words"), BAD_VALUES)
def test_bad_value_is_refused_before_any_resource(path: str, value: Any, words: str) -> None:
    with pytest.raises(ProgramFailed) as failed:
        run_program(config_with(path, value))
    error = failed.value.cause
    assert isinstance(error, ConfigError)
    assert len(error.issues) == 1, str(error)
    issue = error.issues[0]
    assert re.split(r"[.\[]", issue.key)[:2] == path.split(".")[:2]
    message = str(error)
    assert f"openclaw-cron-webhook:{issue.key} = " in message
    assert words in message
    assert "fix: pulumi config" in message
    assert "nothing was registered" in message
    assert failed.value.recording.registrations == []


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as failed:
        parse_settings(
            {
                "namespace": "Bad",
                "cron": {
                    "webhookToken": "abc",
                    "sessionRetention": "7 days",
                    "enabled": 1,
                    "sessionRetension": "7d",
                    "webhookSsrfPolicy": {"allowedHostnames": ["ok.svc", 5]},
                    "failureAlert": {"mode": "email", "after": 0},
                },
            }
        )
    assert [issue.key for issue in failed.value.issues] == [
        "namespace",
        "cron.enabled",
        "cron.failureAlert.after",
        "cron.failureAlert.mode",
        "cron.sessionRetension",
        "cron.sessionRetention",
        "cron.webhookSsrfPolicy.allowedHostnames[1]",
        "cron.webhookToken",
    ]


def test_a_nested_error_names_its_config_path_value_and_fix() -> None:
    with pytest.raises(ConfigError) as failed:
        parse_settings({"cron": {"webhookSsrfPolicy": {"allowedHostnames": ["ok.svc", 5]}}})
    [issue] = failed.value.issues
    assert (issue.key, issue.value, issue.problem) == (
        "cron.webhookSsrfPolicy.allowedHostnames[1]",
        5,
        "must be a string",
    )
    assert issue.fix == (
        "pulumi config set --path "
        "'openclaw-cron-webhook:cron.webhookSsrfPolicy.allowedHostnames[1]' "
        "receiver.monitoring.svc"
    )


def test_a_list_given_as_a_string_is_fixed_item_by_item() -> None:
    with pytest.raises(ConfigError) as failed:
        parse_settings({"cron": {"webhookSsrfPolicy": {"allowedHostnames": "receiver.svc"}}})
    assert failed.value.issues[0].fix == (
        "pulumi config rm --path 'openclaw-cron-webhook:cron.webhookSsrfPolicy.allowedHostnames'"
        " && pulumi config set --path "
        "'openclaw-cron-webhook:cron.webhookSsrfPolicy.allowedHostnames[0]' "
        "receiver.monitoring.svc"
    )


def test_an_object_given_as_something_else_is_fixed_through_a_member() -> None:
    with pytest.raises(ConfigError) as failed:
        parse_settings({"cron": {"webhookSsrfPolicy": ["receiver.svc"]}})
    [issue] = failed.value.issues
    assert issue.problem == "must be an object"
    assert issue.fix == (
        "pulumi config rm --path 'openclaw-cron-webhook:cron.webhookSsrfPolicy'"
        " && pulumi config set --path "
        "'openclaw-cron-webhook:cron.webhookSsrfPolicy.allowedHostnames[0]' "
        "receiver.monitoring.svc"
    )


def test_an_unknown_cron_key_is_refused_naming_the_keys_openclaw_knows() -> None:
    with pytest.raises(ConfigError) as failed:
        parse_settings({"cron": {"sessionRetension": "7d"}})
    [issue] = failed.value.issues
    assert issue.key == "cron.sessionRetension"
    assert issue.problem == (
        "is not a key of `cron` in OpenClaw's schema (known: enabled, skipMissedJobs, triggers, "
        "webhookSsrfPolicy, sessionRetention, failureAlert)"
    )
    assert issue.fix == "pulumi config rm --path 'openclaw-cron-webhook:cron.sessionRetension'"


@pytest.mark.parametrize("env_name", ["OPENCLAW_CRON_WEBHOOK_TOKEN", "HOOK_TOKEN"])
def test_webhook_token_is_refused_saying_the_stack_writes_it(env_name: str) -> None:
    with pytest.raises(ConfigError) as failed:
        parse_settings(
            {"deployment": {"envName": env_name}, "cron": {"webhookToken": "${" + env_name + "}"}}
        )
    [issue] = failed.value.issues
    assert issue.key == "cron.webhookToken"
    assert issue.problem.startswith(
        f'is set by the stack itself: it always writes "${{{env_name}}}"'
    )
    assert "never appears in the ConfigMap" in issue.problem
    assert issue.fix == "pulumi config rm --path 'openclaw-cron-webhook:cron.webhookToken'"


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"namesapce": "openclaw"}, "namesapce"),
        ({"cron": {"sessionRetension": "7d"}}, "cron.sessionRetension"),
        ({"token": "abc"}, "token"),
        ({"cron": ["enabled"]}, "cron"),
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


# OpenClaw 2026.9.6's duration grammar: compound durations are valid, and a zero duration
# disables pruning (it no longer means "prune everything"). tests/real_openclaw checks these
# verdicts against the real `openclaw config validate`.
ACCEPTED_RETENTIONS = ["7d", "1h30m", "2d12h", "0h", "0", "1.5h", "36", "500ms", " 7D ", "1m30s"]
REFUSED_RETENTIONS = ["7 days", "1h 30m", "h", "", "-1h", "1d2", "1.h", "99999999999999d"]


@pytest.mark.parametrize("retention", [*ACCEPTED_RETENTIONS, False])
def test_openclaw_retentions_are_accepted_and_written_verbatim(retention: str | bool) -> None:
    settings = parse_settings({"cron": {"sessionRetention": retention}})
    assert settings.cron["sessionRetention"] == retention
    assert settings.cron_section()["sessionRetention"] == retention


@pytest.mark.parametrize("retention", REFUSED_RETENTIONS)
def test_what_openclaw_cannot_parse_as_a_duration_is_refused(retention: str) -> None:
    with pytest.raises(ConfigError) as failed:
        parse_settings({"cron": {"sessionRetention": retention}})
    [issue] = failed.value.issues
    assert (issue.key, issue.value) == ("cron.sessionRetention", retention)
    assert issue.problem.startswith("is not an OpenClaw duration")


@pytest.mark.parametrize(
    ("raw", "check"),
    [
        ({"externalSecret": {"refreshInterval": "1h30m"}}, lambda s: True),
        ({"externalSecret": {"refreshInterval": "0"}}, lambda s: True),
        ({"token": {"kmsKeyId": "alias/openclaw"}}, lambda s: s.token.kms_key_id),
        ({"token": {"rotation": 3}}, lambda s: s.secret_name == "openclaw-cron-webhook-r3"),
        ({"token": {"rotation": "2026-11"}}, lambda s: s.token.rotation == "2026-11"),
        ({"cron": None}, lambda s: s.cron == {"enabled": True, "sessionRetention": "7d"}),
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


def test_the_dev_stack_writes_exactly_the_defaults(cluster_config: dict[str, Any]) -> None:
    run = run_program(cluster_config)
    assert json.dumps(run.outputs["cronSection"]) == json.dumps(Settings().cron_section())


FULL_CRON: dict[str, Any] = {
    "failureAlert": {
        "to": "http://alerts.monitoring.svc/cron",
        "mode": "webhook",
        "after": 3,
        "cooldownMs": 600000,
        "includeSkipped": False,
        "enabled": True,
        "channel": "telegram",
        "accountId": "default",
    },
    "sessionRetention": "1h30m",
    "webhookSsrfPolicy": {
        "blockedHostnames": ["*.example.com"],
        "allowedHostnames": ["receiver.monitoring.svc", "10.0.0.7"],
        "allowIpv6UniqueLocalRange": False,
        "allowRfc2544BenchmarkRange": False,
        "dangerouslyAllowPrivateNetwork": False,
    },
    "triggers": {"enabled": False},
    "skipMissedJobs": True,
    "enabled": False,
}


def test_every_key_of_the_section_is_settable_and_written_in_openclaws_order() -> None:
    section = parse_settings({"cron": FULL_CRON}).cron_section()
    schema = cron_schema()
    assert list(section) == list(schema["properties"])
    for key in ("webhookSsrfPolicy", "failureAlert"):
        assert list(section[key]) == list(schema["properties"][key]["properties"])
    assert section == {**FULL_CRON, "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"}
    jsonschema.validate(section, schema)


def test_the_section_is_the_same_whatever_order_the_config_was_written_in() -> None:
    reordered = {k: v for k, v in reversed(FULL_CRON.items())}
    assert json.dumps(parse_settings({"cron": reordered}).cron_section()) == json.dumps(
        parse_settings({"cron": FULL_CRON}).cron_section()
    )


def test_a_key_new_in_openclaws_schema_is_accepted_and_written_without_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A regenerated schema is all it takes: the section carries whatever the schema allows."""
    schema = json.loads(json.dumps(cron_schema()))
    schema["properties"]["maxConcurrentRuns"] = {"type": "integer", "minimum": 1}
    monkeypatch.setattr(settings_module, "cron_schema", lambda: schema)

    section = parse_settings({"cron": {"maxConcurrentRuns": 4}}).cron_section()

    assert list(section) == ["enabled", "webhookToken", "sessionRetention", "maxConcurrentRuns"]
    assert section["maxConcurrentRuns"] == 4


def test_an_open_object_new_in_openclaws_schema_is_written_as_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An object whose schema lists no members keeps the order it was given in."""
    schema = json.loads(json.dumps(cron_schema()))
    schema["properties"]["labels"] = {"type": "object"}
    monkeypatch.setattr(settings_module, "cron_schema", lambda: schema)

    section = parse_settings({"cron": {"labels": {"team": "a", "env": "b"}}}).cron_section()

    assert list(section["labels"].items()) == [("team", "a"), ("env", "b")]


def test_a_key_openclaws_schema_allows_anything_for_is_written_as_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """JSON Schema's `true` (anything goes) has no members to order by: the value stays as is."""
    schema = json.loads(json.dumps(cron_schema()))
    schema["properties"]["extensions"] = True
    monkeypatch.setattr(settings_module, "cron_schema", lambda: schema)

    section = parse_settings({"cron": {"extensions": {"b": 1, "a": [2]}}}).cron_section()

    assert list(section["extensions"].items()) == [("b", 1), ("a", [2])]
