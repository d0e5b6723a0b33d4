"""The verdicts on the `openclaw.json` hops: the live section (config) and its GitOps owner.

config: the live document holds exactly the stack's `cron` section (compared as JSON, the way
stages.section.document compares it for drift), and OpenClaw itself accepts the document
where the pinned OpenClaw is installed (openclaw_runtime.verdict's Judgement). A difference is
described key by key; a live `webhookToken` is never quoted, because a wrong one may be a
literal token pasted into the ConfigMap.

gitops: whether a GitOps controller tracks the ConfigMap (stages.section.tracking), what that
means for the chosen `section.target`, and in git mode whether the repository's file at the
branch head and the live document agree. Pure: facts in, one Hop out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import json5

from openclaw_runtime.verdict import Judgement
from stack.config_issues import set_command
from stack.settings import GitSettings, Settings
from stages.section.document import DocumentError, json_equal, read_section
from stages.section.git.manifest import ManifestTarget, find_document
from stages.section.token_placeholder import is_placeholder
from stages.section.tracking import tracked_by
from tools.verify.hops import Commands
from tools.verify.model import CannotRead, Hop, cannot_check, fail, ok

SECTION = "cron"
_SHOWN = 80  # characters of a live value quoted in a difference


@dataclass(frozen=True)
class BranchHead:
    """The ConfigMap manifest at the head of the configured branch (text None: no such file)."""

    where: str  # the file, branch and repository, in stages.section.git.repo's words
    commit: str
    text: str | None


def tracker_of(config_map: Mapping[str, Any] | None) -> str:
    meta = (config_map or {}).get("metadata") or {}
    return tracked_by(meta.get("annotations"), meta.get("labels"))


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def differences(live: object, wanted: Mapping[str, Any]) -> list[str]:
    """Key by key, what the live section has that the stack's has not; never a live token."""
    if not isinstance(live, dict):
        return [f"the live `{SECTION}` is {type(live).__name__}, not an object"]
    found = []
    for key in [*wanted, *(k for k in live if k not in wanted)]:
        if key in live and key in wanted and json_equal(live[key], wanted[key]):
            continue
        if key == "webhookToken":
            literal = isinstance(live.get(key), str) and not is_placeholder(live[key])
            found.append(
                f"webhookToken is {'missing' if key not in live else 'not'} the placeholder "
                f"{wanted.get(key, '(none)')}"
                + (" (a literal value: a token in a ConfigMap)" if literal else "")
            )
        elif key not in live:
            found.append(f"{key} is missing (stack: {_shown(wanted[key])})")
        elif key not in wanted:
            found.append(f"{key} is {_shown(live[key])}, which the stack does not set")
        else:
            found.append(f"{key} is {_shown(live[key])} (stack: {_shown(wanted[key])})")
    return found


def _document(config_map: Mapping[str, Any] | None, key: str) -> str | None:
    return ((config_map or {}).get("data") or {}).get(key)


def config_hop(
    settings: Settings,
    config_map: Mapping[str, Any] | None,
    judgement: Judgement | None,
    judge_note: str,
    c: Commands,
) -> Hop:
    """`judgement` is OpenClaw's verdict on the live document (None: not judged, and
    `judge_note` says why)."""
    ns, name, key = settings.namespace, settings.config.config_map, settings.config.key
    where = f"ConfigMap {ns}/{name} key {key}"
    target, write_tracked = settings.section.target, settings.section.write_tracked_config_map
    text = _document(config_map, key)
    if text is None:
        return fail(
            "config",
            f"{where} does not exist",
            "the app's configuration is not deployed (its GitOps source owns the ConfigMap); "
            "once it is back, this writes the section again",
            c.up_refresh,
        )
    wanted = settings.cron_section()
    try:
        present, live = read_section(text, SECTION, context=where)
    except DocumentError as error:
        return fail(
            "config",
            f"{where} is not a document OpenClaw can load",
            str(error),
            f"{c.kubectl} -n {ns} edit configmap {name}   (or its source in Git)",
        )
    verdict = judgement.line if judgement is not None else judge_note
    issues = [f"{i.path}: {i.message}" for i in (judgement.issues if judgement else ())]
    warnings = [f"warning {i.path}: {i.message}" for i in (judgement.warnings if judgement else ())]
    found = differences(live, wanted) if present else [f"there is no `{SECTION}` section"]
    if found:
        tracker = tracker_of(config_map)
        if target == "git":
            cause = "the GitOps controller has not delivered the section from Git (see gitops)"
        elif tracker:
            cause = (
                f"reverted by {tracker} (self-heal; "
                + ("the Application must ignore /data/" + key if write_tracked else "see gitops")
                + "), or edited by hand"
            )
        else:
            cause = "edited or removed by hand in the cluster"
        return fail(
            "config",
            f"{where}: " + "; ".join(found),
            cause,
            c.up_refresh,
            verdict,
        )
    if judgement is not None and judgement.valid is False:
        return fail(
            "config",
            f"{where} has the stack's section, but OpenClaw {judgement.version} rejects the "
            "document",
            "another part of the document is invalid for this OpenClaw (its issues below)",
            f"{c.kubectl} -n {ns} edit configmap {name}   (or its source in Git)",
            *issues,
            *warnings,
        )
    placeholder = wanted.get("webhookToken")
    return ok(
        "config",
        f"{where} has exactly the stack's `{SECTION}` section ({len(wanted)} keys, "
        f"webhookToken {placeholder})",
        verdict,
        *warnings,
    )


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
    found = differences(section, settings.cron_section()) if present else ["no `cron` section"]
    if found:
        return fail(
            "gitops",
            f"{head}: " + "; ".join(found),
            "the section was reverted or edited in Git, or the last `pulumi up` did not push it",
            c.up_refresh,
            *evidence,
        )
    live_text = _document(config_map, key)
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
