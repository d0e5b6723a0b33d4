"""What the state records when create adopts a `cron` section, and how destroy gives it back.

Why: create adopts an equal section that is already in the document (committed before the
stack, say) instead of refusing it, and writes nothing. Removing it on destroy would take away
something the stack never wrote. So create records whether it adopted the section (`adopted`)
and how that section was spelled (`before`: the member's value, byte for byte). It equals the
desired section, so it holds the `${VAR}` placeholder and never a token. Destroy puts exactly
those bytes back, also after the stack has updated the section since.

Only a section someone else wrote is adopted. One this program wrote itself, and then lost
from the state (the documented upgrade from the DeploymentPatch version drops the section from
the state and `pulumi up` finds it equal), is the stack's own: destroy removes it. Who last
wrote the document is each backend's to say: the ConfigMap's managedFields in cluster mode
(stages.section.cluster.authorship), the last commit that touched the manifest in git mode.

A section that is not what the state says the stack wrote (the value of the last `pulumi up`,
or of a `pulumi refresh` since) was edited by hand. Destroy still removes or gives back the
section, because OpenClaw must not keep a `${VAR}` whose variable the env entry no longer
provides. But it says what it found and what it did: it names the keys that differ and never
their values, which may hold a pasted token.

States written before this record have neither output: destroy removes the section, as it
always did. Nothing here does I/O; both backends apply it to the document they read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stages.section.document import (
    LossyDocumentError,
    json_equal,
    read_section,
    remove_section,
    section_span,
)
from stages.section.token_placeholder import masked_section

ADOPTED = "adopted"
BEFORE = "before"
RECORD = (ADOPTED, BEFORE)


@dataclass(frozen=True)
class GiveBack:
    """The document after destroy's edit, and what to tell the user (None: nothing to say)."""

    text: str
    finding: str | None


def record_at_create(text: str, key: str, *, context: str, own: bool) -> dict[str, Any]:
    """The record for the document create found: adopted exactly when the section is already
    there (create refuses a different one before this matters) and this program did not write
    it (`own`: it last wrote the document)."""
    if own:
        return {ADOPTED: False, BEFORE: None}
    try:
        span = section_span(text, key, context=context)
    except LossyDocumentError:
        # A JSON5 document cannot be spliced; its section is recorded as JSON, which gives
        # it back equal, if not in the same bytes, should the document become strict JSON.
        present, live = read_section(text, key, context=context)
        return {ADOPTED: present, BEFORE: json.dumps(live, ensure_ascii=False) if present else None}
    if span is None:
        return {ADOPTED: False, BEFORE: None}
    return {ADOPTED: True, BEFORE: text[span[0] : span[1]]}


def carried(olds: Mapping[str, Any]) -> dict[str, Any]:
    """The record as the state holds it, kept by update and refresh (an old state has none)."""
    return {name: olds[name] for name in RECORD if name in olds}


def adopted_before(props: Mapping[str, Any]) -> str | None:
    """The section's bytes from before the stack, or None when the stack created it."""
    before = props.get(BEFORE)
    return before if props.get(ADOPTED) is True and isinstance(before, str) else None


def give_back(text: str, key: str, props: Mapping[str, Any], *, context: str) -> GiveBack:
    """Destroy's edit: put an adopted section back as it was, remove one the stack created,
    and say so when the section found is not the one the state records."""
    before = adopted_before(props)
    present, live = read_section(text, key, context=context)
    if not present:
        if before is None:
            return GiveBack(text, None)
        return GiveBack(
            text,
            f'{context} has no "{key}" section any more (removed outside this stack): destroy '
            "did not put back the section this stack had adopted.",
        )
    if before is None:
        edited = remove_section(text, key, context=context)
        did = "removed the section, hand edits included, as this stack created it"
    else:
        edited = _restore(text, key, before, context)
        did = "put back the section as it was before this stack adopted it; the hand edits are gone"
    keys = differing_keys(masked_section(live), props.get("value"), key)
    if not keys or edited == text:
        return GiveBack(edited, None)
    return GiveBack(
        edited,
        f'{context}: the "{key}" section is not the one the last `pulumi up` wrote (keys that '
        f"differ: {', '.join(keys)}; values not shown, they may hold a token). Destroy {did}.",
    )


def differing_keys(live: object, recorded: object, path: str) -> list[str]:
    """The dotted paths (from `path`) where two JSON values differ, in sorted order."""
    if json_equal(live, recorded):
        return []
    if not (isinstance(live, dict) and isinstance(recorded, dict)):
        return [path]
    found: list[str] = []
    for name in sorted(live.keys() | recorded.keys()):
        where = f"{path}.{name}"
        if name in live and name in recorded:
            found += differing_keys(live[name], recorded[name], where)
        else:
            found.append(where)
    return found


def _restore(text: str, key: str, before: str, context: str) -> str:
    """The document with the section's value spelled as `before` again, every other byte kept
    (`text` itself if the section is absent).

    A JSON5 document that already holds an equal section is left as it is: a splice could not
    keep its syntax, and there is nothing to give back."""
    try:
        span = section_span(text, key, context=context)
    except LossyDocumentError:
        if json_equal(read_section(text, key, context=context)[1], json.loads(before)):
            return text
        raise
    return text if span is None else text[: span[0]] + before + text[span[1] :]
