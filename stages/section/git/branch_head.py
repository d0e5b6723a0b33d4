"""The git backend's read-only I/O for verify: the ConfigMap manifest at the branch head.

Read with stages.section.git.repo.read_head, the same shallow, checkout-less clone of the one
branch that git mode commits through: the user's own git and credentials, no prompt, no URL
userinfo in any message. A git failure means verify could not check the hop (CannotRead); a
branch without the file is a fact the gitops hop (stages.section.git.verify) judges.
"""

from __future__ import annotations

from dataclasses import dataclass

from stack.settings import PROJECT, GitSettings
from stages.hop import CannotRead
from stages.section.git.clone import GitError, GitFile
from stages.section.git.repo import read_head
from stages.section.git.repo_url import redact_url


@dataclass(frozen=True)
class BranchHead:
    """The ConfigMap manifest at the head of the configured branch (text None: no such file)."""

    where: str  # the file, branch and repository, in stages.section.git.repo's words
    commit: str
    text: str | None


def read_branch_file(git: GitSettings) -> BranchHead:
    """`git.path` at the head of `git.branch` of `git.repo`."""
    file = GitFile(git.repo, git.branch, git.path)
    try:
        head = read_head(file)
    except (GitError, ValueError) as error:
        raise CannotRead(
            f"cannot read {file.source}",
            str(error),
            f"git ls-remote {redact_url(git.repo)} {git.branch}   (must work in "
            f"this shell; else fix {PROJECT}:section.git.repo)",
        ) from None
    return BranchHead(file.source, head.commit, head.text)
