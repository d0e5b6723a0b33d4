"""What a `webhookToken` may hold where the stack records or shows it: a `${VAR}` placeholder.

The stack only ever writes `"webhookToken": "${<deployment.envName>}"`; OpenClaw fills the
placeholder in from its environment. Anything else found there was put in by someone else, and
may be a real token pasted into the ConfigMap or the GitOps repository. Pulumi stores what a
dynamic provider's `read` returns as outputs, and the stack's outputs are not encrypted, so a
section read back is stored with such a value replaced by `LITERAL_MARKER`; the offline plan
and verify never print it either.

Why a fixed marker, and not the value's length or digest: a short literal's digest is as good
as the literal, and a fixed text makes repeated refreshes of the same drift change nothing.
Why this marker: it starts with `[`, so it can never match OpenClaw's placeholder grammar and
never equals the stack's desired section; the next preview therefore still reports the
section as changed, and `pulumi up` writes the placeholder back. Its words say what happened,
for whoever reads `pulumi refresh` or `pulumi stack export`.
"""

from __future__ import annotations

import json
import re

TOKEN_KEY = "webhookToken"
LITERAL_MARKER = "[literal value, not stored]"
# OpenClaw's placeholder grammar, matched against the whole value.
_PLACEHOLDER = re.compile(r"\$\{[A-Z_][A-Z0-9_]*\}")
# A `"webhookToken": "<raw JSON string>"` member as it is spelled in a document's text.
_MEMBER = re.compile(r'"webhookToken"\s*:\s*("(?:[^"\\\n]|\\.)*")')


def is_placeholder(value: object) -> bool:
    """Whether OpenClaw reads `value` as a `${VAR}` placeholder (not as the token itself)."""
    return isinstance(value, str) and _PLACEHOLDER.fullmatch(value) is not None


def masked_section(section: object) -> object:
    """The section as it may be stored: a `webhookToken` that is not a placeholder (of any
    JSON type: OpenClaw may coerce a number too) replaced by LITERAL_MARKER."""
    if not isinstance(section, dict) or TOKEN_KEY not in section:
        return section
    if is_placeholder(section[TOKEN_KEY]):
        return section
    return {**section, TOKEN_KEY: LITERAL_MARKER}


def literal_spellings(text: str) -> set[str]:
    """The quoted JSON strings that a `webhookToken` member of `text` holds and that are not
    placeholders, as spelled in `text` (escapes included), so they can be cut from a diff."""
    found = set()
    for match in _MEMBER.finditer(text):
        quoted = match.group(1)
        try:
            value = json.loads(quoted)
        except ValueError:
            continue
        if not is_placeholder(value):
            found.add(quoted)
    return found


def without_literals(text: str, spellings: set[str]) -> str:
    """`text` with each of those quoted spellings replaced by the quoted LITERAL_MARKER."""
    for quoted in sorted(spellings, key=len, reverse=True):
        text = text.replace(quoted, json.dumps(LITERAL_MARKER))
    return text
