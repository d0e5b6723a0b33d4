"""The git backend's hop, `gitops`: who owns the ConfigMap, and does Git agree with the cluster.

Whether a GitOps controller tracks the ConfigMap (stages.section.tracking), what that means for
the chosen `section.target`, and in git mode whether the repository's file at the branch head
(stages.section.git.branch_head) and the live document agree, compared with the config hop's
`differences` (stages.section.verify); with `section.present: false`, that the file has no `cron`
section. Pure: facts in, one Hop out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import json5

from stack.config_issues import set_command
from stack.settings import GitSettings, Settings
from stages.fix_commands import Commands
from stages.hop import CannotRead, Hop, cannot_check, fail, ok
from stages.live import Live
from stages.section.document import DocumentError, json_equal, read_section
from stages.section.git.branch_head import BranchHead
from stages.section.git.manifest import ManifestTarget, find_document
from stages.section.verify import SECTION, SWITCHED_OFF, differences, document_of, tracker_of


def _load(text: str) -> object:
    """A document as OpenClaw reads it (JSON5, strict JSON first for speed)."""
    try:
        return json.loads(text)
    except ValueError:
        return json5.loads(text)


def gitops_hop(
    settings: Settings,
    config_map: Mapping[str, Any] | None,
    git: BranchHead | CannotRead | None,
    c: Commands,
) -> Hop:
    """`git` is the branch head's file in git mode (None in cluster mode)."""
    ns, name, key = settings.namespace, settings.config.config_map, settings.config.key
    where = f"ConfigMap {ns}/{name}"
    section = settings.section
    tracker = tracker_of(config_map)
    if section.target != "git" or section.git is None:
        if not tracker:
            return ok(
                "gitops",
                f"no GitOps controller tracks {where} (section.target cluster)",
                "no Argo CD tracking annotation or instance label, no Flux label",
            )
        if section.write_tracked_config_map:
            return ok(
                "gitops",
                f"{where} is tracked by {tracker}; the stack writes the section there anyway "
                "(section.writeTrackedConfigMap)",
                f"the Application must ignore /data/{key}, or self-heal reverts it (see config)",
            )
        return fail(
            "gitops",
            f"{where} is tracked by {tracker}, and section.target is cluster",
            "the stack does not write its section into a ConfigMap a controller reverts; send "
            "it through the GitOps repository instead",
            f"{set_command(('section', 'target'), 'git')} && "
            f"{set_command(('section', 'git', 'repo'), '<repo URL>')} && "
            f"{set_command(('section', 'git', 'path'), '<manifest path>')} && {c.up}",
        )
    if isinstance(git, CannotRead) or git is None:
        problem = git or CannotRead("git mode, but no repository file read", "", c.up)
        return cannot_check("gitops", problem, f"tracked by {tracker or 'no controller seen'}")
    return _git_verdict(settings, config_map, git, tracker, section.git, c)


def _differing_keys(live: object, in_git: object) -> list[str]:
    if not isinstance(live, dict) or not isinstance(in_git, dict):
        return ["the whole document"]
    return sorted(k for k in {*live, *in_git} if not json_equal(live.get(k), in_git.get(k)))


def _git_verdict(
    settings: Settings,
    config_map: Mapping[str, Any] | None,
    git: BranchHead,
    tracker: str,
    git_settings: GitSettings,
    c: Commands,
) -> Hop:
    ns, name, key = settings.namespace, settings.config.config_map, settings.config.key
    head = f"{git.where} (commit {git.commit[:12]})"
    evidence = [f"tracked by {tracker or 'no controller seen on the ConfigMap'}"]
    if git.text is None:
        return fail(
            "gitops",
            f"{head} has no such file",
            "section.git.path does not name the ConfigMap's manifest on that branch",
            f"{set_command(('section', 'git', 'path'), '<manifest path>')} && {c.up}",
            *evidence,
        )
    try:
        embedded = find_document(git.text, ManifestTarget(ns, name, key), source=git.where)
        present, section = read_section(embedded.document, SECTION, context=embedded.context)
        in_git = _load(embedded.document)
    except (DocumentError, ValueError) as error:
        return fail(
            "gitops",
            f"{head} does not hold a usable {key}",
            str(error),
            c.up_refresh,
            *evidence,
        )
    if not settings.section.present:
        evidence.append(SWITCHED_OFF)
        found = [f"a `{SECTION}` section is still there"] if present else []
        cause = "the last `pulumi up` did not push its removal, or it was committed again in Git"
    else:
        found = differences(section, settings.cron_section()) if present else ["no `cron` section"]
        cause = "the section was reverted or edited in Git, or the last `pulumi up` did not push it"
    if found:
        return fail("gitops", f"{head}: " + "; ".join(found), cause, c.up_refresh, *evidence)
    live_text = document_of(config_map, key)
    try:
        live = _load(live_text) if live_text is not None else None
    except ValueError:
        live = None
    if live is None or not json_equal(live, in_git):
        fix = (
            f"{c.kubectl} -n {git_settings.application_namespace} annotate application "
            f"{git_settings.application} argocd.argoproj.io/refresh=normal --overwrite"
            if git_settings.application
            else f"{set_command(('section', 'git', 'application'), '<Application>')} && {c.up}"
        )
        return fail(
            "gitops",
            f"the live {key} differs from {head} in: {', '.join(_differing_keys(live, in_git))}",
            "the controller has not synced that commit yet (or cannot), or the ConfigMap was "
            "edited in the cluster",
            fix,
            *evidence,
        )
    return ok("gitops", f"{head} and the live {key} agree", *evidence)


def judge(live: Live, before: Mapping[str, Hop]) -> tuple[Hop, ...]:
    return (
        live.in_cluster(
            "gitops",
            live.config_problem,
            lambda: gitops_hop(live.settings, live.config_map, live.git, live.commands),
        ),
    )
