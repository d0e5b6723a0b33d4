"""The offline plan never prints a literal token it finds in the base's `cron` section.

The plan is posted to a pull request. When the stack already owns the section, `pulumi up`
rewrites it whatever it holds, so the plan's diff removes the base's section, and a token
pasted there (instead of the `${VAR}` placeholder) would be published on the removed line.
It is shown as the marker instead, with a note; the diff of the manifest in git mode too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stages.section.document import set_section
from tools.plan.bases import BaseConfig
from tools.plan.gitops import git_base
from tools.plan.section import apply_section

LITERAL = "5f" * 32
CRON = {"enabled": True, "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"}
PHASE1 = '{\n  "plugins": {"entries": {"diagnostics-otel": {"enabled": true}}}\n}\n'
# Someone pasted the token itself, its last character escaped as a JSON writer may spell it.
SPELLED = '"' + LITERAL[:-1] + '\\u0066"'
BASE = set_section(PHASE1, "cron", {**CRON, "webhookToken": "T"}, context="t").replace(
    '"T"', SPELLED
)
SECTION: dict[str, Any] = {
    "namespace": "openclaw",
    "configMap": "openclaw-config",
    "key": "openclaw.json",
    "section": "cron",
    "value": CRON,
    "repo": "file:///srv/gitops.git",
    "branch": "main",
    "path": "app/cm.yaml",
    "author": "openclaw-cron-webhook <bot@example.org>",
    "stack": "openclaw-cron-webhook/dev",
    "deliveryTimeoutSeconds": 600,
    "application": "",
    "applicationNamespace": "argocd",
}
NOTE = (
    "base has a webhookToken that is not a ${VAR} placeholder (a literal value, perhaps a "
    "token): the diff shows it as [literal value, not stored]"
)
MASKED = '-    "webhookToken": "[literal value, not stored]"'


def test_the_owned_sections_diff_masks_a_literal_token_with_a_note() -> None:
    assert json.loads(BASE)["cron"]["webhookToken"] == LITERAL

    result = apply_section(SECTION, BaseConfig(Path("base"), BASE, None), "base", owned=True)

    assert LITERAL[:-1] not in result.diff
    assert MASKED in result.diff.splitlines()
    assert '+    "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"' in result.diff.splitlines()
    assert result.notes == (NOTE,)


def test_the_commits_diff_masks_it_too(tmp_path: Path) -> None:
    body = "".join(f"    {line}\n" for line in BASE.splitlines())
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: openclaw-config\n"
        f"  namespace: openclaw\ndata:\n  openclaw.json: |\n{body}"
    )

    planned = git_base(SECTION, manifest, tmp_path / "unused.json", lambda p: p.name, owned=True)

    assert LITERAL[:-1] not in planned.commit.diff
    assert f"-    {MASKED[1:]}" in planned.commit.diff.splitlines()


def test_a_placeholder_is_shown_as_it_is_without_a_note() -> None:
    other = set_section(PHASE1, "cron", {**CRON, "webhookToken": "${OTHER}"}, context="t")

    result = apply_section(SECTION, BaseConfig(Path("base"), other, None), "base", owned=True)

    assert '-    "webhookToken": "${OTHER}"' in result.diff.splitlines()
    assert result.notes == ()


def test_each_literal_is_masked_whole_when_one_spelling_ends_another() -> None:
    """The same token pasted twice, once with its quotes (`"whsec_…"`) and once with only the
    closing one: the first's spelling ends with the second's. Each line shows the marker, not a
    marker inside what is left of the longer spelling."""
    token = "whsec_" + "5f" * 16
    base = set_section(PHASE1, "cron", {**CRON, "webhookToken": f'"{token}"'}, context="t")
    base = set_section(base, "hooks", {"webhookToken": f'{token}"'}, context="t")

    result = apply_section(SECTION, BaseConfig(Path("base"), base, None), "base", owned=True)

    assert result.diff == (
        "--- a/base\n"
        "+++ b/openclaw.json\n"
        "@@ -2,7 +2,7 @@\n"
        '   "plugins": {"entries": {"diagnostics-otel": {"enabled": true}}},\n'
        '   "cron": {\n'
        '     "enabled": true,\n'
        f"{MASKED}\n"
        '+    "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}"\n'
        "   },\n"
        '   "hooks": {\n'
        '     "webhookToken": "[literal value, not stored]"\n'
    )


def test_a_comment_json_cannot_read_does_not_stop_the_masking(tmp_path: Path) -> None:
    """The manifest is YAML: a comment may spell a webhookToken member that is no JSON string
    (`\\$` is no JSON escape). It is skipped, and the literal below it is still masked."""
    body = "".join(f"    {line}\n" for line in BASE.splitlines())
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(
        '# OpenClaw reads "webhookToken": "\\${OPENCLAW_CRON_WEBHOOK_TOKEN}" from its env\n'
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: openclaw-config\n"
        f"  namespace: openclaw\ndata:\n  openclaw.json: |\n{body}"
    )

    planned = git_base(SECTION, manifest, tmp_path / "unused.json", lambda p: p.name, owned=True)

    assert LITERAL[:-1] not in planned.commit.diff
    assert f"-    {MASKED[1:]}" in planned.commit.diff.splitlines()
