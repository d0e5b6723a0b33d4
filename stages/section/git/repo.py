"""The GitOps repository, reached with the user's own `git`: read one file at a branch's head,
and commit an edit of it on top of that head.

How git is run, and why the user's own (no credential of the stack's, no hooks, no prompt, no
URL userinfo in any message), is stages.section.git.clone. A push that is not a fast forward
means someone else pushed first: the branch is fetched again and the edit redone on their
commit (checks included), a bounded number of times, so their commit is never lost. A push the
server refuses (a protected branch, a pre-receive hook) is no race: it fails at once, saying
why and the ways out (stages.section.git.push_refusal).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from stack.config_issues import set_command
from stages.section.git.clone import GitError, GitFile, cloned

MAX_PUSH_ATTEMPTS = 5
# How far back the last change of the file is looked for: a few weeks of a busy GitOps branch,
# fetched only when create finds the section already there.
HISTORY_DEPTH = 50
_AUTHOR = re.compile(r"^(?P<name>[^<>]*[^<>\s])\s*<(?P<email>[^<>\s]+)>$")


class GitFileMissing(LookupError):
    """The branch has no such file."""


@dataclass(frozen=True)
class FileAtHead:
    """The branch head's commit, and the file's text there (None: no such file)."""

    commit: str
    text: str | None


@dataclass(frozen=True)
class CommitResult:
    """The commit that holds the edited file: ours if `pushed`, else the head, unchanged."""

    commit: str
    pushed: bool
    text: str
    attempts: int


def parse_author(author: str) -> tuple[str, str]:
    """`Name <email>` as git's author and committer identity."""
    found = _AUTHOR.match(author.strip())
    if found is None:
        fix = set_command(("section", "git", "author"), "'Name <email>'")
        raise ValueError(
            f"section.git.author {author!r} is not `Name <email>`; fix it with `{fix}`."
        )
    return found["name"], found["email"]


def read_head(file: GitFile) -> FileAtHead:
    """The file as it is at the branch head now (for diff, refresh and waits)."""
    with cloned(file) as clone:
        head = clone.head()
        return FileAtHead(head, clone.text_at(head))


def last_change_message(file: GitFile) -> str:
    """The message of the last commit that changed the file, among the branch's last
    HISTORY_DEPTH commits (an older change reads as the oldest of them)."""
    with cloned(file, HISTORY_DEPTH) as clone:
        return clone.last_change_message()


def commit_edit(
    file: GitFile,
    edit: Callable[[str], str],
    *,
    author: str,
    message: str,
    max_attempts: int = MAX_PUSH_ATTEMPTS,
) -> CommitResult:
    """Apply `edit` to the file at the branch head, commit the result there, and push it.

    `edit` may raise to refuse: nothing is committed. If it changes nothing, nothing is pushed
    and the head is returned. Raises GitFileMissing if the branch has no such file.
    """
    name, email = parse_author(author)
    with cloned(file) as clone:
        for attempt in range(1, max_attempts + 1):
            head = clone.head()
            text = clone.text_at(head)
            if text is None:
                raise GitFileMissing(
                    f"{file.source} does not exist. Check `section.git.path` and "
                    "`section.git.branch` "
                    f"(`{set_command(('section', 'git', 'path'), '<path>')}`), "
                    "or commit the ConfigMap manifest first."
                )
            edited = edit(text)
            if edited == text:
                return CommitResult(head, pushed=False, text=text, attempts=attempt)
            commit = clone.commit(head, edited, name=name, email=email, message=message)
            if clone.push(commit):
                return CommitResult(commit, pushed=True, text=edited, attempts=attempt)
            clone.fetch()
    raise GitError(
        f"Gave up after {max_attempts} pushes to {file.source}: each time someone else pushed "
        "to the branch first. Nothing of this stack was pushed; run `pulumi up` (or `pulumi "
        "destroy`) again."
    )
