"""Markdown escaping for plan.md: every string the plan shows goes through one of these.

Why a module of its own: plan.md is assembled by several modules (the tables and diagram in
`tools.plan.markdown`, the diffs in `tools.plan.markdown_changes`), and every one of them puts
names, values and OpenClaw's messages into a pull-request comment. None of those may open
emphasis, a link, HTML or a table cell, or close a code span or a fence early.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

# Inline markup characters; none of our texts starts a line, so `#`, `-`, `+`, `1.` are safe.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
# What a link target keeps as it is; anything else (spaces, parentheses, quotes, `<>`) is
# percent-encoded, so the target cannot end the link or start HTML.
_URL_SAFE = ":/?#&=%~+@!$,;*-._"


def text(value: str) -> str:
    """Plain Markdown text: no emphasis, links or HTML can come out of it."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", " ".join(escaped.split()))


def code(value: str, *, table: bool = False) -> str:
    """An inline code span that holds `value` whatever backticks it has.

    In a table cell (`table=True`) a `|` is escaped even inside code, as GitHub splits the
    cells first; anywhere else the backslash would show.
    """
    value = " ".join(value.split())
    if table:
        value = value.replace("|", "\\|")
    fence = "`" * (max((len(r) for r in re.findall(r"`+", value)), default=0) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def fenced(info: str, body: str) -> list[str]:
    """A fenced code block that holds `body` whatever backtick runs it has."""
    fence = "`" * max(3, max((len(r) for r in re.findall(r"`+", body)), default=0) + 1)
    return [f"{fence}{info}", body.rstrip("\n"), fence]


def link_target(url: str) -> str:
    """An http(s) URL as a Markdown link target; ValueError for anything else (a `javascript:`
    or relative target has no place in a comment that links to a CI run)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{url!r} is not an http(s) URL")
    return quote(url, safe=_URL_SAFE)
