"""The gitops hop in git mode, each verdict whole: summary, cause, fix and evidence, word for word.

`./bin/verify` prints these four fields and nothing else, and an operator acts on them: the
cause says who most likely broke the path (the file's path setting, the document in Git, the
controller), the fix is the one command to run. tests/test_verify_hops.py covers the choice
between the verdicts; here each verdict is compared as the operator reads it. The branch head
is given as `stages.section.git.branch_head` reads it; the settings come through
`tools.verify.stack.settings_from_config`, as `./bin/verify` reads them from the stack.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_verify_hops import head, manifest

from stages.fix_commands import Commands
from stages.hop import CannotRead, Hop, fail, ok
from stages.section.document import set_section
from stages.section.git.verify import gitops_hop
from tools.verify.stack import settings_from_config

C = Commands("dev")
UP_REFRESH = "pulumi up --refresh --stack dev"
FILE = "app/cm.yaml (branch main of file:///srv/gitops.git)"
HEAD = f"{FILE} (commit c0ffeec0ffee)"
ARGO = {"annotations": {"argocd.argoproj.io/tracking-id": "openclaw:/ConfigMap:openclaw/x"}}
TRACKED = "tracked by Argo CD Application openclaw (annotation argocd.argoproj.io/tracking-id)"
UNTRACKED = "tracked by no controller seen on the ConfigMap"
CRON = {"enabled": True, "webhookToken": "${OPENCLAW_CRON_WEBHOOK_TOKEN}", "sessionRetention": "7d"}
DOCUMENT = '{\n  "plugins": {"entries": {"diagnostics-otel": {"enabled": true}}}\n}\n'
WITH_SECTION = set_section(DOCUMENT, "cron", CRON, context="t")
REFRESH_APPLICATION = (
    "kubectl -n argocd annotate application openclaw argocd.argoproj.io/refresh=normal --overwrite"
)
GIT = settings_from_config(
    {
        "openclaw-cron-webhook:section": (
            json.dumps(
                {
                    "target": "git",
                    "git": {
                        "repo": "file:///srv/gitops.git",
                        "path": "app/cm.yaml",
                        "application": "openclaw",
                    },
                }
            ),
            False,
        )
    },
    "dev",
)


def config_map(document: str | None, **meta: Any) -> dict[str, Any]:
    data = {} if document is None else {"openclaw.json": document}
    return {"metadata": {"name": "openclaw-config", **meta}, "data": data}


def test_the_stacks_setting_is_the_one_these_verdicts_expect() -> None:
    """CRON is written out here rather than read from the settings, so a changed default shows."""
    assert GIT.cron_section() == CRON


def test_a_branch_head_verify_could_not_read_is_a_check_that_could_not_run() -> None:
    """The reader's own words and fix go through. tools.verify.check reads the branch head
    whenever the settings say git mode; should no reading reach the hop, it still says so
    rather than judging a file it never saw."""
    live = config_map(WITH_SECTION, **ARGO)
    unreadable = CannotRead(
        "cannot read app/cm.yaml", "no access to the repository", "git ls-remote x"
    )

    assert gitops_hop(GIT, live, unreadable, C) == Hop(
        "gitops",
        "error",
        "cannot read app/cm.yaml",
        (TRACKED,),
        "no access to the repository",
        "git ls-remote x",
    )
    assert gitops_hop(GIT, None, None, C) == Hop(
        "gitops",
        "error",
        "git mode, but no repository file read",
        ("tracked by no controller seen",),
        "",
        "pulumi up --stack dev",
    )


def test_a_branch_without_the_file_names_the_path_setting_to_correct() -> None:
    hop = gitops_hop(GIT, config_map(WITH_SECTION), head(None), C)

    assert hop == fail(
        "gitops",
        f"{HEAD} has no such file",
        "section.git.path does not name the ConfigMap's manifest on that branch",
        "pulumi config set --path 'openclaw-cron-webhook:section.git.path' <manifest path> && "
        "pulumi up --stack dev",
        UNTRACKED,
    )


@pytest.mark.parametrize(
    ("file", "cause"),
    [
        (
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: openclaw-config\n",
            f"{FILE} is not a ConfigMap manifest (it holds: Secret openclaw-config), so it cannot "
            "carry ConfigMap openclaw/openclaw-config. Point the stack at the file that holds it "
            "(`pulumi config set --path 'openclaw-cron-webhook:section.git.path' <path>`), or fix "
            "`config.configMap`.",
        ),
        (
            manifest('{\n  "cron": {\n'),
            f"openclaw.json of ConfigMap openclaw/openclaw-config in {FILE} is not valid JSON5 "
            "(<string>:3 Unexpected end of input at column 1), so OpenClaw cannot load it "
            "either. Fix the document in its source, then run `pulumi up` again.",
        ),
    ],
    ids=["no-configmap-in-the-file", "document-not-json5"],
)
def test_a_file_without_a_usable_document_says_why_naming_the_file(file: str, cause: str) -> None:
    """The cause is the reader's own message, naming the file in Git, not the live ConfigMap."""
    hop = gitops_hop(GIT, config_map(WITH_SECTION, **ARGO), head(file), C)

    assert hop == fail(
        "gitops", f"{HEAD} does not hold a usable openclaw.json", cause, UP_REFRESH, TRACKED
    )


def test_a_section_edited_in_git_names_every_difference_and_who_likely_edited_it() -> None:
    edited = set_section(
        DOCUMENT, "cron", {**CRON, "enabled": False, "sessionRetention": "1d"}, context="t"
    )

    hop = gitops_hop(GIT, config_map(WITH_SECTION, **ARGO), head(manifest(edited)), C)

    assert hop == fail(
        "gitops",
        f'{HEAD}: enabled is false (stack: true); sessionRetention is "1d" (stack: "7d")',
        "the section was reverted or edited in Git, or the last `pulumi up` did not push it",
        UP_REFRESH,
        TRACKED,
    )


@pytest.mark.parametrize(
    "live",
    [None, config_map(None), config_map("{")],
    ids=["no-configmap", "no-key", "unloadable"],
)
def test_a_live_document_missing_or_unloadable_differs_from_git_as_a_whole(
    live: dict[str, Any] | None,
) -> None:
    """Nothing live to compare key by key: the controller is asked to sync the file again."""
    hop = gitops_hop(GIT, live, head(manifest(WITH_SECTION)), C)

    assert hop == fail(
        "gitops",
        f"the live openclaw.json differs from {HEAD} in: the whole document",
        "the controller has not synced that commit yet (or cannot), or the ConfigMap was edited "
        "in the cluster",
        REFRESH_APPLICATION,
        UNTRACKED,
    )


def test_a_live_document_differing_in_several_keys_names_each() -> None:
    in_git = set_section(WITH_SECTION, "gateway", {"port": 18789}, context="t")
    live = set_section(DOCUMENT, "agents", {}, context="t")

    hop = gitops_hop(GIT, config_map(live, **ARGO), head(manifest(in_git)), C)

    assert hop == fail(
        "gitops",
        f"the live openclaw.json differs from {HEAD} in: agents, cron, gateway",
        "the controller has not synced that commit yet (or cannot), or the ConfigMap was edited "
        "in the cluster",
        REFRESH_APPLICATION,
        TRACKED,
    )


def test_a_json5_file_with_comments_agrees_with_the_same_document_live() -> None:
    """OpenClaw reads JSON5, so a commented document in Git is compared by what it says."""
    commented = "// written by hand, section by the stack\n" + WITH_SECTION.replace(
        '"plugins"', "plugins"
    )

    hop = gitops_hop(GIT, config_map(commented, **ARGO), head(manifest(commented)), C)

    assert hop == ok("gitops", f"{HEAD} and the live openclaw.json agree", TRACKED)
