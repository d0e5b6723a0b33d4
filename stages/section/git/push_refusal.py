"""A push the server refused, told apart from a push that someone else's push got ahead of.

Why tell them apart: a GitOps repository's branch is often protected (GitHub's branch
protection and rulesets, GitLab's protected branches) or guarded by a pre-receive hook. Such a
refusal is not a race: fetching and pushing again gets the same answer, so retrying would only
repeat it. `git push --porcelain` says which it was in a format git keeps stable for scripts,
one line per ref, `<flag>TAB<from>:<to>TAB<summary> (<reason>)`: flag `!` with `[rejected]` is
git itself declining because the branch moved on (`fetch first`, `non-fast-forward`): redone
on the new head; `!` with `[remote rejected]` is the server refusing (`pre-receive hook
declined`, `protected branch hook declined`, `non-fast-forward` from receive.denyNonFastForwards):
fails at once. Why what the server said is quoted verbatim: only its `remote:` lines say why
(GitHub's `GH006: Protected branch update failed`, GitLab's `You are not allowed to push code
to protected branches`), in words the user can search for; their URLs' credentials are
redacted like every URL this stack prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stack.config_issues import set_command
from stages.section.git.repo_url import redact_url

# Why git declined a push that is not a fast forward of the branch as the server has it now.
_BEHIND_REASONS = ("fetch first", "non-fast-forward")
# A server that failed rather than refused (git's receive-pack): no rule to be let through.
_SERVER_FAILURES = (
    "unpacker error",
    "n/a (unpacker error)",
    "failed to ",
    "cannot lock ref",
    "missing necessary",
)
# `[remote rejected] (pre-receive hook declined)`: the summary, then the reason in parentheses.
_SUMMARY = re.compile(r"^(?P<summary>\[[^\]]*\]|\S+)(?: \((?P<reason>.*)\))?$")
# A hook may print pages; the first lines hold the reason, and the message stays readable.
MAX_REMOTE_LINES = 20


@dataclass(frozen=True)
class PushStatus:
    """One ref's line of `git push --porcelain`: its flag, summary and reason."""

    flag: str
    summary: str
    reason: str

    @property
    def behind(self) -> bool:
        """Someone else pushed first: git did not send the push at all."""
        return self.flag == "!" and self.summary == "[rejected]" and self.reason in _BEHIND_REASONS

    @property
    def refused(self) -> bool:
        """The server received the push and refused it by a rule (not by failing)."""
        return (
            self.flag == "!"
            and self.summary == "[remote rejected]"
            and not self.reason.startswith(_SERVER_FAILURES)
        )


def ref_status(porcelain: str, ref: str) -> PushStatus | None:
    """The porcelain line of `ref` (`refs/heads/<branch>`); None when git printed none (it
    failed before any ref was pushed: no connection, no credential)."""
    for line in porcelain.splitlines():
        fields = line.split("\t")
        found = _SUMMARY.match(fields[2]) if len(fields) == 3 else None
        if found and fields[1].rpartition(":")[2] == ref:
            return PushStatus(fields[0], found["summary"], found["reason"] or "")
    return None


def remote_lines(stderr: str, repo: str) -> list[str]:
    """What the server said (git's `remote: ` lines), verbatim but for the padding git adds
    and the credentials of any URL in them."""
    said = [line.rstrip() for line in stderr.splitlines() if line.startswith("remote:")]
    shown = [redact_url(line.replace(repo, redact_url(repo))) for line in said]
    if len(shown) > MAX_REMOTE_LINES:
        more = len(shown) - MAX_REMOTE_LINES
        shown = [*shown[:MAX_REMOTE_LINES], f"({more} more remote: lines)"]
    return shown


def refusal_message(*, source: str, repo: str, branch: str, reason: str, stderr: str) -> str:
    """The refused push in words: what git and the server said, where, and the ways out."""
    said = remote_lines(stderr, repo) or ["(the server printed no remote: lines)"]
    quoted = "".join(f"\n    {line}" for line in said)
    fix = set_command(("section", "git", "branch"), "<branch>")
    return (
        f"The server refused the push to {source}: [remote rejected] ({reason}). Nothing was "
        f"pushed, and pushing again would be refused again. git said:{quoted}\n"
        f"Repository {redact_url(repo)}, branch {branch}: a protected branch or a pre-receive "
        "hook refuses this credential's pushes. Either way out works:\n"
        f"  - let the credential git pushes with push to {branch}: a deploy key with write "
        "access that the branch's protection lets through (GitHub: a ruleset whose bypass "
        "list has deploy keys), loaded in the ssh agent of the shell that runs Pulumi; or\n"
        "  - commit to another branch that your GitOps controller tracks (the Argo CD "
        "Application's targetRevision) and this credential may push to: "
        f"`{fix}`.\n"
        "Then run the same Pulumi command again."
    )
