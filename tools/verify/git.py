"""The GitOps repository's side of verify: the ConfigMap manifest at the branch head, read-only.

Read with stages.section.git.repo.read_head, the same shallow, checkout-less clone of the one
branch that git mode commits through: the user's own git and credentials, no prompt, no URL
userinfo in any message. A git failure means verify could not check the hop (CannotRead); a
branch without the file is a fact the gitops hop judges.
"""

from __future__ import annotations

from stack.settings import PROJECT, GitSettings
from stages.section.git import repo as gitops_repo
from tools.verify.document_hops import BranchHead
from tools.verify.model import CannotRead


def read_branch_file(git: GitSettings) -> BranchHead:
    """`git.path` at the head of `git.branch` of `git.repo`."""
    file = gitops_repo.GitFile(git.repo, git.branch, git.path)
    try:
        head = gitops_repo.read_head(file)
    except (gitops_repo.GitError, ValueError) as error:
        raise CannotRead(
            f"cannot read {file.source}",
            str(error),
            f"git ls-remote {gitops_repo.redact_url(git.repo)} {git.branch}   (must work in "
            f"this shell; else fix {PROJECT}:section.git.repo)",
        ) from None
    return BranchHead(file.source, head.commit, head.text)
