"""The gitops hop in cluster mode, and the hop as verify's walk asks for it (`judge`).

With `section.target: cluster` the stack writes its section into the live ConfigMap itself, so
the hop only asks who else owns that ConfigMap: nobody holds; a GitOps controller fails (its
self-heal would revert the section), unless the stack was told to write there anyway
(`section.writeTrackedConfigMap`). Each verdict is compared whole, as `./bin/verify` prints it:
the fix is the exact commands that move the section into Git.
"""

from __future__ import annotations

import json
from typing import Any

from stages.fix_commands import Commands
from stages.hop import CannotRead, Hop, fail, ok
from stages.live import Live
from stages.section.git.branch_head import BranchHead
from stages.section.git.verify import gitops_hop, judge
from tools.verify.stack import settings_from_config

C = Commands("dev")
DOCUMENT = '{\n  "plugins": {"entries": {"diagnostics-otel": {"enabled": true}}}\n}\n'
ARGO = {"annotations": {"argocd.argoproj.io/tracking-id": "openclaw:/ConfigMap:openclaw/x"}}
TRACKER = "Argo CD Application openclaw (annotation argocd.argoproj.io/tracking-id)"


def settings(section: dict[str, Any]) -> Any:
    return settings_from_config(
        {"openclaw-cron-webhook:section": (json.dumps(section), False)}, "dev"
    )


def config_map(**meta: Any) -> dict[str, Any]:
    return {"metadata": {"name": "openclaw-config", **meta}, "data": {"openclaw.json": DOCUMENT}}


CLUSTER = settings({})
UNTRACKED = ok(
    "gitops",
    "no GitOps controller tracks ConfigMap openclaw/openclaw-config (section.target cluster)",
    "no Argo CD tracking annotation or instance label, no Flux label",
)


def test_an_untracked_config_map_holds_and_says_what_was_looked_for() -> None:
    assert gitops_hop(CLUSTER, config_map(), None, C) == UNTRACKED
    assert gitops_hop(CLUSTER, None, None, C) == UNTRACKED


def test_a_tracked_config_map_fails_with_the_commands_that_move_the_section_to_git() -> None:
    hop = gitops_hop(CLUSTER, config_map(**ARGO), None, C)

    assert hop == fail(
        "gitops",
        f"ConfigMap openclaw/openclaw-config is tracked by {TRACKER}, and section.target is "
        "cluster",
        "the stack does not write its section into a ConfigMap a controller reverts; send it "
        "through the GitOps repository instead",
        "pulumi config set --path 'openclaw-cron-webhook:section.target' git && "
        "pulumi config set --path 'openclaw-cron-webhook:section.git.repo' <repo URL> && "
        "pulumi config set --path 'openclaw-cron-webhook:section.git.path' <manifest path> && "
        "pulumi up --stack dev",
    )


def test_writing_a_tracked_config_map_by_choice_holds_and_says_what_the_application_needs() -> None:
    chosen = settings({"writeTrackedConfigMap": True})

    hop = gitops_hop(chosen, config_map(**ARGO), None, C)

    assert hop == ok(
        "gitops",
        f"ConfigMap openclaw/openclaw-config is tracked by {TRACKER}; the stack writes the "
        "section there anyway (section.writeTrackedConfigMap)",
        "the Application must ignore /data/openclaw.json, or self-heal reverts it (see config)",
    )
    assert gitops_hop(chosen, config_map(), None, C) == UNTRACKED


GIT = settings({"target": "git", "git": {"repo": "file:///srv/gitops.git", "path": "app/cm.yaml"}})
FILE = "app/cm.yaml (branch main of file:///srv/gitops.git)"
MANIFEST = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: openclaw-config\ndata:\n"
    "  openclaw.json: |\n" + "".join(f"    {line}\n" for line in DOCUMENT.splitlines())
)


def test_judge_gives_the_one_gitops_hop_from_what_verify_read() -> None:
    """The ConfigMap and the branch head verify read reach the hop: here they disagree (the
    section was never written), and the hop says so about that commit."""
    live = Live(
        "dev", GIT, {}, C, config_map=config_map(**ARGO), git=BranchHead(FILE, "ab" * 20, MANIFEST)
    )

    assert judge(live, {}) == (
        fail(
            "gitops",
            f"{FILE} (commit abababababab): no `cron` section",
            "the section was reverted or edited in Git, or the last `pulumi up` did not push it",
            "pulumi up --refresh --stack dev",
            f"tracked by {TRACKER}",
        ),
    )


def test_judge_without_the_config_map_says_why_it_could_not_check() -> None:
    """A ConfigMap verify could not read (or no cluster at all) leaves nothing to compare the
    file with: the hop carries that reason, not a verdict on the file."""
    forbidden = CannotRead("cannot read ConfigMap openclaw/openclaw-config", "forbidden", "grant")
    no_cluster = CannotRead("no cluster", "no context", "kubectl config use-context x")
    head = BranchHead(FILE, "ab" * 20, MANIFEST)

    unread = Live("dev", GIT, {}, C, config_problem=forbidden, git=head)
    offline = Live("dev", GIT, {}, C, no_cluster=no_cluster, config_problem=forbidden, git=head)

    assert judge(unread, {}) == (
        Hop(
            "gitops",
            "error",
            "cannot read ConfigMap openclaw/openclaw-config",
            (),
            "forbidden",
            "grant",
        ),
    )
    assert judge(offline, {}) == (
        Hop("gitops", "error", "no cluster", (), "no context", "kubectl config use-context x"),
    )
