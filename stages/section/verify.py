"""The section stage's hop, `config`: the live `openclaw.json` holds the stack's section.

The live document holds exactly the stack's `cron` section (compared as JSON, the way
stages.section.document compares it for drift), and OpenClaw itself accepts the document
where the pinned OpenClaw is installed (openclaw_runtime.verdict's Judgement). A difference is
described key by key; a live `webhookToken` is never quoted, because a wrong one may be a
literal token pasted into the ConfigMap. With `section.present: false` (the section-only
rollback, which registers no section) the hop holds when the document has no `cron` section
and fails when one is still there. The GitOps side (`gitops`) is judged by the git
backend, stages.section.git.verify, with the same `differences`. Pure: facts in, one Hop out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from openclaw_runtime.verdict import Judgement
from stack.settings import Settings
from stages.fix_commands import Commands
from stages.hop import Hop, fail, ok
from stages.live import Live
from stages.section.document import DocumentError, json_equal, read_section
from stages.section.token_placeholder import is_placeholder
from stages.section.tracking import tracked_by

SECTION = "cron"
# Said by every hop that judges the section while it is switched off.
SWITCHED_OFF = "the section is switched off by `section.present: false`"
_SHOWN = 80  # characters of a live value quoted in a difference


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


def document_of(config_map: Mapping[str, Any] | None, key: str) -> str | None:
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
    text = document_of(config_map, key)
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
    if not settings.section.present:
        found = [f"there is still a `{SECTION}` section ({SWITCHED_OFF})"] if present else []
    else:
        found = differences(live, wanted) if present else [f"there is no `{SECTION}` section"]
    if found and not settings.section.present:
        return fail(
            "config",
            f"{where}: " + "; ".join(found),
            "the `pulumi up` that removes it has not run (or, in git mode, the controller has "
            "not delivered its commit: see gitops), it was written again by hand, or it was "
            "there before the stack, which gave it back",
            c.up_refresh,
            verdict,
        )
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
        held = "the stack's section" if settings.section.present else f"no `{SECTION}` section"
        return fail(
            "config",
            f"{where} has {held}, but OpenClaw {judgement.version} rejects the document",
            "another part of the document is invalid for this OpenClaw (its issues below)",
            f"{c.kubectl} -n {ns} edit configmap {name}   (or its source in Git)",
            *issues,
            *warnings,
        )
    if not settings.section.present:
        return ok(
            "config", f"{where} has no `{SECTION}` section: {SWITCHED_OFF}", verdict, *warnings
        )
    placeholder = wanted.get("webhookToken")
    return ok(
        "config",
        f"{where} has exactly the stack's `{SECTION}` section ({len(wanted)} keys, "
        f"webhookToken {placeholder})",
        verdict,
        *warnings,
    )


def judge(live: Live, before: Mapping[str, Hop]) -> tuple[Hop, ...]:
    return (
        live.in_cluster(
            "config",
            live.config_problem,
            lambda: config_hop(
                live.settings, live.config_map, live.judgement, live.judge_note, live.commands
            ),
        ),
    )
