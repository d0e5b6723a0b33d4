"""The registry of printed commands (e2e.harness.printed) is complete and its renderings are honest.

The e2e runs every printed command as its rendering says (e2e/scenarios/test_runbook.py); these
tests,
in the unit layer, hold the registry to the code: a command added to a message has a rendering
(or a stated exclusion) before the suite passes, a rendering matches the command the code
prints, and no printed or documented nested `pulumi config set` lacks `--path`.
"""

from __future__ import annotations

import pytest

from e2e.harness import printed, runbook
from e2e.harness.printed_renderings import EXCLUDED, PLACEHOLDERS, RENDERINGS

SITES = printed.code_sites()
TEMPLATES = sorted({site.text for site in SITES})


def test_the_registry_reads_commands_from_messages_not_prose() -> None:
    message = (
        "ConfigMap x is tracked.\n  pulumi config set --path 'p:section.target' git\n"
        "git is not on PATH; fix `pulumi config set --path 'p:a' b` or run `pulumi up` again.\n"
        "    fix: pulumi config rm 'p:x'   (or leave it)\n"
        "as `kubectl get` output shows"
    )
    assert list(printed.commands_in(message)) == [
        "pulumi config set --path 'p:a' b",
        "pulumi up",
        "pulumi config set --path 'p:section.target' git",
        "pulumi config rm 'p:x'",
    ]


def test_a_literal_builder_call_is_rendered_by_the_builder_itself() -> None:
    refusal = [s for s in SITES if s.path == "stages/section/tracking.py"]
    assert [s.text for s in refusal] == [
        "pulumi config set --path 'openclaw-cron-webhook:section.target' git",
        "pulumi config set --path 'openclaw-cron-webhook:section.git.repo' "
        "<the repo URL the controller syncs>",
        "pulumi config set --path 'openclaw-cron-webhook:section.git.path' "
        "<the ConfigMap manifest in it>",
        "pulumi config set --path 'openclaw-cron-webhook:section.writeTrackedConfigMap' true",
    ]


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_printed_command_has_a_rendering_or_a_reason(template: str) -> None:
    site = next(s for s in SITES if s.text == template)
    assert printed.renderings(site) or template in EXCLUDED, (
        f"{site.source} prints `{template}`: add how a call-site renders it to "
        "e2e/harness/printed_renderings.py RENDERINGS (or why no test can run it to EXCLUDED)"
    )


@pytest.mark.parametrize("template", sorted(RENDERINGS))
def test_each_rendering_is_what_the_code_prints(template: str) -> None:
    assert template in TEMPLATES, f"stale rendering: no code prints `{template}` any more"
    for rendering in RENDERINGS[template]:
        parts = rendering.split(" && ")
        assert len(parts) == len(template.split(" && "))
        for printed_part, rendered_part in zip(template.split(" && "), parts, strict=True):
            assert printed.part_pattern(printed_part).fullmatch(rendered_part), rendering


def test_placeholders_are_ones_a_message_prints() -> None:
    printed_text = "\n".join(TEMPLATES)
    assert [p for p in PLACEHOLDERS if p not in printed_text] == []


def test_no_nested_config_key_is_printed_or_documented_without_path() -> None:
    printed_ones = [f"{s.source}: {s.text}" for s in SITES if printed.nested_without_path(s.text)]
    documented = [
        f"{c.source}: {c.text}" for c in runbook.documented() if printed.nested_without_path(c.text)
    ]
    assert printed_ones + documented == []


@pytest.mark.parametrize(
    ("command", "flat"),
    [
        ("pulumi config set openclaw-cron-webhook:section.target git", True),
        ("pulumi config set openclaw-cron-webhook:token.tags[0] x", True),
        ("pulumi config set --path 'openclaw-cron-webhook:section.target' git", False),
        ('pulumi config set --path "$S:token.rotation" 2 && pulumi up', False),
        ("pulumi config set kubernetes:context e2e", False),
        ("pulumi config rm 'openclaw-cron-webhook:section.target'", False),
    ],
)
def test_what_counts_as_a_nested_key_without_path(command: str, flat: bool) -> None:
    assert printed.nested_without_path(command) is flat
