"""verify's section hops with `section.present: false` (the section-only rollback, issue 28).

The program then registers no section, so `config` (and in git mode `gitops`) hold when the
document has no `cron` section and fail, naming it, when one is still there; each says that the
section is switched off, rather than calling its absence a fault. The settings come through
`tools.verify.stack.settings_from_config`, as `./bin/verify` reads them from the stack.
"""

from __future__ import annotations

import json
from typing import Any

from openclaw_runtime.verdict import Issue, Judgement
from stages.fix_commands import Commands
from stages.hop import fail, ok
from stages.section.document import set_section
from stages.section.git.branch_head import BranchHead
from stages.section.git.verify import gitops_hop
from stages.section.verify import config_hop
from tools.verify.stack import settings_from_config

C = Commands("dev")
UP_REFRESH = "pulumi up --refresh --stack dev"
DOCUMENT = '{\n  "plugins": {"entries": {"diagnostics-otel": {"enabled": true}}}\n}\n'
WHERE = "ConfigMap openclaw/openclaw-config key openclaw.json"
OFF = "the section is switched off by `section.present: false`"
GIT_FILE = "app/cm.yaml (branch main of file:///srv/gitops.git)"
ARGO = {"annotations": {"argocd.argoproj.io/tracking-id": "openclaw:/ConfigMap:openclaw/x"}}
TRACKED = "tracked by Argo CD Application openclaw (annotation argocd.argoproj.io/tracking-id)"


def settings(section: dict[str, Any]) -> Any:
    return settings_from_config(
        {"openclaw-cron-webhook:section": (json.dumps(section), False)}, "dev"
    )


CLUSTER_OFF = settings({"present": False})
GIT_OFF = settings(
    {
        "present": False,
        "target": "git",
        "git": {"repo": "file:///srv/gitops.git", "path": "app/cm.yaml", "application": "openclaw"},
    }
)
WITH_SECTION = set_section(DOCUMENT, "cron", CLUSTER_OFF.cron_section(), context="t")


def config_map(document: str, **meta: Any) -> dict[str, Any]:
    return {"metadata": {"name": "openclaw-config", **meta}, "data": {"openclaw.json": document}}


def manifest(document: str) -> str:
    body = "".join(f"    {line}\n" for line in document.splitlines())
    return (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: openclaw-config\n"
        f"  namespace: openclaw\ndata:\n  openclaw.json: |\n{body}"
    )


def head(text: str) -> BranchHead:
    return BranchHead(GIT_FILE, "c0ffee" * 7, text)


def test_verify_reads_the_switch_from_the_stack_config() -> None:
    assert CLUSTER_OFF.section.present is False
    assert settings({}).section.present is True


def test_without_a_section_the_config_hop_holds_and_says_it_is_switched_off() -> None:
    judged = Judgement("2026.9.6", True, (), (Issue("gateway", "a warning"),))

    hop = config_hop(CLUSTER_OFF, config_map(DOCUMENT), judged, "", C)

    assert hop == ok(
        "config",
        f"{WHERE} has no `cron` section: {OFF}",
        "openclaw.json judged by OpenClaw 2026.9.6: valid",
        "warning gateway: a warning",
    )


def test_a_section_still_there_fails_naming_it() -> None:
    hop = config_hop(CLUSTER_OFF, config_map(WITH_SECTION), None, "not judged", C)

    assert hop == fail(
        "config",
        f"{WHERE}: there is still a `cron` section ({OFF})",
        "the `pulumi up` that removes it has not run (or, in git mode, the controller has not "
        "delivered its commit: see gitops), it was written again by hand, or it was there "
        "before the stack, which gave it back",
        UP_REFRESH,
        "not judged",
    )


def test_switched_off_a_document_openclaw_rejects_still_fails() -> None:
    judged = Judgement("2026.9.6", False, (Issue("gateway.port", "Expected number"),), ())

    hop = config_hop(CLUSTER_OFF, config_map(DOCUMENT), judged, "", C)

    assert (hop.status, hop.summary) == (
        "fail",
        f"{WHERE} has no `cron` section, but OpenClaw 2026.9.6 rejects the document",
    )
    assert hop.evidence == ("gateway.port: Expected number",)


def test_in_git_mode_a_file_without_the_section_that_the_cluster_agrees_with_holds() -> None:
    hop = gitops_hop(GIT_OFF, config_map(DOCUMENT, **ARGO), head(manifest(DOCUMENT)), C)

    assert hop == ok(
        "gitops",
        f"{GIT_FILE} (commit c0ffeec0ffee) and the live openclaw.json agree",
        TRACKED,
        OFF,
    )


def test_in_git_mode_a_section_still_in_the_file_fails_naming_it() -> None:
    live = config_map(WITH_SECTION, **ARGO)

    hop = gitops_hop(GIT_OFF, live, head(manifest(WITH_SECTION)), C)

    assert hop == fail(
        "gitops",
        f"{GIT_FILE} (commit c0ffeec0ffee): a `cron` section is still there",
        "the last `pulumi up` did not push its removal, or it was committed again in Git",
        UP_REFRESH,
        TRACKED,
        OFF,
    )


def test_in_git_mode_a_removal_not_yet_delivered_fails_on_both_hops() -> None:
    live = config_map(WITH_SECTION, **ARGO)

    gitops = gitops_hop(GIT_OFF, live, head(manifest(DOCUMENT)), C)
    config = config_hop(GIT_OFF, live, None, "", C)

    assert gitops.summary == (
        f"the live openclaw.json differs from {GIT_FILE} (commit c0ffeec0ffee) in: cron"
    )
    assert config.summary == f"{WHERE}: there is still a `cron` section ({OFF})"
