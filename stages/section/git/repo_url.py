"""What a GitOps repository URL may carry, and how any URL is shown in a message.

Why so strict: `section.git.repo` is stored in plain text in Pulumi.<stack>.yaml and in the
stack's state (every resource id, every plan), and it is passed to git on its command line,
where any process of the machine can read it. So it must not carry a credential in any of the
places a URL can: a password (`user:password@`), a token as the user name (`https://<token>@`,
how GitHub's and GitLab's access tokens are often pasted), or a query string
(`?access_token=...`). Only ssh names a user that is no secret (`git@host:path`,
`ssh://git@host/path`: the account the server's key decides about). Spaces around the URL
would be taken by git as part of it. The stack config's rules and the git provider ask the
same `url_problem`, so a URL is refused before any resource exists, and again by the provider
should one reach it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# A URL with a scheme: its authority (where a userinfo sits), then its path, then a query;
# each ends at a character no URL holds unescaped, such as the quotes of JSON around it.
_URL = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<authority>[^/?#\s\"'`<>]*)"
    r"(?P<path>[^?#\s\"'`<>]*)(?P<query>\?[^#\s\"'`<>]*)?"
)
# git's scp-like syntax, `user@host:path`.
_SCP_USERINFO = re.compile(r"^[^/:@\s]+@(?=[^/:\s]+:)")
# The transports whose user name is an account on the server, not a credential.
_SSH_SCHEMES = ("ssh://", "git+ssh://", "ssh+git://")
_STORED = (
    "which would be stored in plain text in the stack file and the state, and passed to git "
    "on its command line"
)


def redact_url(url: str) -> str:
    """The URL (or a message holding URLs) with any userinfo (a user, a token, a password) and
    any query string replaced by `***`: how messages, ids and plans show a repository."""
    shown: str = hide_credentials(url)
    return _SCP_USERINFO.sub("***@", shown)


def hide_credentials(value: Any) -> Any:
    """`value` (a config value: a string, or objects and lists of them) with the userinfo and
    query of every URL with a scheme in it replaced by `***` (an scp-like `git@host:path`
    stays: its user is ssh's)."""

    def hidden(found: re.Match[str]) -> str:
        authority = found["authority"]
        if "@" in authority:
            authority = "***@" + authority.rpartition("@")[2]
        query = "?***" if found["query"] else ""
        return f"{found['scheme']}{authority}{found['path']}{query}"

    if isinstance(value, Mapping):
        return {key: hide_credentials(item) for key, item in value.items()}
    if isinstance(value, list):
        return [hide_credentials(item) for item in value]
    return _URL.sub(hidden, value) if isinstance(value, str) else value


def url_problem(url: str) -> str | None:
    """What is wrong with `url` as `section.git.repo`, in words; None when nothing is."""
    if url != url.strip():
        return "has white space before or after it, which git would take as part of the URL"
    found = _URL.match(url)
    if found is None:
        return None  # scp-like or a local path: its user name, if any, is ssh's
    userinfo, at, _ = found["authority"].rpartition("@")
    if at and ":" in userinfo:
        return f"embeds a password, {_STORED}; let git's credential helper or ssh agent supply it"
    if at and not found["scheme"].lower().startswith(_SSH_SCHEMES):
        return (
            f"names a user before the host (a token, say), {_STORED}; give the URL without it "
            "and let git's credential helper supply the credential (only an ssh URL, such as "
            "git@host:path, names a user)"
        )
    if found["query"]:
        return f"has a query string (?...), a place for a token, {_STORED}; remove it"
    return None
