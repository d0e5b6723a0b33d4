"""OpenClaw itself judges the `cron` section: its schema is the one we vendor, and every
document the offline plan produces for a realistic stack config passes its validator."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from devtools import vendor_cron_schema
from e2e.harness.openclaw_home import OpenClawHome
from openclaw_runtime.install import OpenClawInstall
from real_openclaw.stack_documents import BASE_DOCUMENT, ENV_NAME, cron_of, plan_document
from stack.settings import CRON_SCHEMA_FILE, ConfigError, parse_settings
from stages.section.document import require_otel_diagnostics, set_section

PLACEHOLDER = "${" + ENV_NAME + "}"
# Six stack configs a user writes, and the `cron` section each must produce.
CASES: dict[str, tuple[dict[str, Any] | None, dict[str, Any]]] = {
    "defaults": (
        None,
        {"enabled": True, "sessionRetention": "7d", "webhookToken": PLACEHOLDER},
    ),
    "disabled": (
        {"enabled": False},
        {"enabled": False, "sessionRetention": "7d", "webhookToken": PLACEHOLDER},
    ),
    "keep-sessions": (
        {"sessionRetention": False},
        {"enabled": True, "sessionRetention": False, "webhookToken": PLACEHOLDER},
    ),
    "compound-retention": (
        {"sessionRetention": "1h30m"},
        {"enabled": True, "sessionRetention": "1h30m", "webhookToken": PLACEHOLDER},
    ),
    "in-cluster-receiver": (
        {"webhookSsrfPolicy": {"allowedHostnames": ["cron-receiver.monitoring.svc"]}},
        {
            "enabled": True,
            "sessionRetention": "7d",
            "webhookSsrfPolicy": {"allowedHostnames": ["cron-receiver.monitoring.svc"]},
            "webhookToken": PLACEHOLDER,
        },
    ),
    "failure-alert-webhook": (
        {
            "failureAlert": {
                "enabled": True,
                "mode": "webhook",
                "to": "http://cron-alerts.monitoring.svc:8080/failed",
                "after": 2,
                "cooldownMs": 3_600_000,
            },
            "webhookSsrfPolicy": {"allowedHostnames": ["cron-alerts.monitoring.svc"]},
        },
        {
            "enabled": True,
            "failureAlert": {
                "after": 2,
                "cooldownMs": 3_600_000,
                "enabled": True,
                "mode": "webhook",
                "to": "http://cron-alerts.monitoring.svc:8080/failed",
            },
            "sessionRetention": "7d",
            "webhookSsrfPolicy": {"allowedHostnames": ["cron-alerts.monitoring.svc"]},
            "webhookToken": PLACEHOLDER,
        },
    ),
}


def test_the_vendored_schema_is_what_the_pinned_openclaw_prints(
    openclaw: OpenClawInstall,
) -> None:
    assert vendor_cron_schema.generate(openclaw) == CRON_SCHEMA_FILE.read_text(), (
        f"{CRON_SCHEMA_FILE.name} is stale for OpenClaw {openclaw.openclaw_version}: "
        "run python -m devtools.vendor_cron_schema and review the diff"
    )


def test_the_base_document_is_valid_and_has_phase_1(openclaw_home: OpenClawHome) -> None:
    text = BASE_DOCUMENT.read_text()
    require_otel_diagnostics(text, context=BASE_DOCUMENT.name)
    verdict = openclaw_home.validate(text)
    assert (verdict.valid, verdict.issues) == (True, [])


@pytest.mark.parametrize("case", list(CASES))
def test_openclaw_accepts_the_document_the_plan_produces(
    case: str, openclaw_home: OpenClawHome, tmp_path: Path
) -> None:
    config, section = CASES[case]
    document = plan_document(tmp_path / "plan", case, config)
    assert cron_of(document) == section
    verdict = openclaw_home.validate(document)
    assert (verdict.valid, verdict.issues) == (True, [])
    # The pod has the variable, so OpenClaw has nothing at all to say about the section.
    assert [w for w in verdict.warnings if w["path"].startswith("cron")] == []


def test_openclaw_rejects_a_bad_section_and_so_does_the_stack(
    openclaw_home: OpenClawHome, tmp_path: Path
) -> None:
    """The validator can fail: what OpenClaw refuses, the stack config refuses too."""
    bad = {"sessionRetention": "7 days", "sessionRetension": "7d"}
    document = set_section(
        plan_document(tmp_path / "plan", "defaults", None),
        "cron",
        {"enabled": True, "webhookToken": PLACEHOLDER, **bad},
        context="test",
    )
    verdict = openclaw_home.validate(document)
    assert verdict.valid is False
    assert sorted(verdict.issues, key=lambda issue: issue["path"]) == [
        {"path": "cron", "message": 'Unrecognized key: "sessionRetension"'},
        {"path": "cron.sessionRetention", "message": "invalid duration (use ms, s, m, h, d)"},
    ]
    with pytest.raises(ConfigError) as refused:
        parse_settings({"cron": bad})
    assert [issue.key for issue in refused.value.issues] == [
        "cron.sessionRetension",
        "cron.sessionRetention",
    ]


# Durations at the edges of OpenClaw's grammar (its schema says only "string"; its loader
# parses them). The stack's one hand-written cron rule must agree with OpenClaw on each.
RETENTIONS = [
    "7d",
    "1h30m",
    "0h",
    "0",
    "36",
    "1.5h",
    " 7D ",
    "500ms",
    "7 days",
    "1h 30m",
    "-1h",
    "1d2",
    "h",
    "",
    "99999999999999d",
]


def test_the_stacks_duration_rule_agrees_with_openclaw(
    openclaw: OpenClawInstall, tmp_path: Path
) -> None:
    base = plan_document(tmp_path / "plan", "defaults", None)

    def openclaw_accepts(index_and_value: tuple[int, str]) -> bool:
        index, value = index_and_value
        home = OpenClawHome(openclaw, tmp_path / f"home-{index}", {ENV_NAME: "0" * 64})
        section = {**json.loads(base)["cron"], "sessionRetention": value}
        verdict = home.validate(set_section(base, "cron", section, context="test"))
        return verdict.valid

    def stack_accepts(value: str) -> bool:
        try:
            parse_settings({"cron": {"sessionRetention": value}})
        except ConfigError:
            return False
        return True

    with ThreadPoolExecutor(max_workers=5) as pool:
        theirs = list(pool.map(openclaw_accepts, enumerate(RETENTIONS)))
    verdicts = {
        value: (stack_accepts(value), openclaw)
        for value, openclaw in zip(RETENTIONS, theirs, strict=True)
    }
    assert {v: s for v, (s, o) in verdicts.items() if s != o} == {}, verdicts
    # Both sides of the grammar were exercised.
    assert set(theirs) == {True, False}
