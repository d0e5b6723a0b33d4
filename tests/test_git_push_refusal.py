"""A refused push told apart from a race, and the refusal in words (git/push_refusal.py).

`git push --porcelain` lines as git 2.x prints them, and `remote:` lines as GitHub and a
pre-receive hook send them (git pads each with spaces). The same refusal through the real git,
in create, update and destroy: tests/process/test_git_protected_branch.py.
"""

from __future__ import annotations

import pytest

from stages.section.git.push_refusal import (
    MAX_REMOTE_LINES,
    PushStatus,
    ref_status,
    refusal_message,
    remote_lines,
)

REF = "refs/heads/main"
REPO = "https://bot:s3cret@gitops.example.invalid/org/gitops.git"
SHOWN = "https://***@gitops.example.invalid/org/gitops.git"
GH006 = "remote: error: GH006: Protected branch update failed for refs/heads/main."
# GitHub's words when someone else's push holds the branch's lock: a server failure.
LOCK = "cannot lock ref 'refs/heads/main': is at 1111111 but expected 2222222"
SOURCE = f"apps/openclaw/configmap.yaml (branch main of {SHOWN})"


def porcelain(line: str) -> str:
    return f"To {SHOWN}\n{line}\nDone\n"


@pytest.mark.parametrize(
    ("line", "status", "behind", "refused"),
    [
        (
            "!\tabc:refs/heads/main\t[rejected] (fetch first)",
            ("!", "[rejected]", "fetch first"),
            True,
            False,
        ),
        (
            "!\tabc:refs/heads/main\t[rejected] (non-fast-forward)",
            ("!", "[rejected]", "non-fast-forward"),
            True,
            False,
        ),
        (
            "!\tabc:refs/heads/main\t[remote rejected] (pre-receive hook declined)",
            ("!", "[remote rejected]", "pre-receive hook declined"),
            False,
            True,
        ),
        (
            "!\tabc:refs/heads/main\t[remote rejected] (protected branch hook declined)",
            ("!", "[remote rejected]", "protected branch hook declined"),
            False,
            True,
        ),
        (  # receive.denyNonFastForwards: the server's rule, not a race
            "!\tabc:refs/heads/main\t[remote rejected] (non-fast-forward)",
            ("!", "[remote rejected]", "non-fast-forward"),
            False,
            True,
        ),
        (
            "!\tabc:refs/heads/main\t[remote rejected] (n/a (unpacker error))",
            ("!", "[remote rejected]", "n/a (unpacker error)"),
            False,
            False,
        ),
        (
            "!\tabc:refs/heads/main\t[remote rejected] (failed to update ref)",
            ("!", "[remote rejected]", "failed to update ref"),
            False,
            False,
        ),
        (
            f"!\tabc:refs/heads/main\t[remote rejected] ({LOCK})",
            ("!", "[remote rejected]", LOCK),
            False,
            False,
        ),
        (
            "!\tabc:refs/heads/main\t[remote failure] (remote failed to report status)",
            ("!", "[remote failure]", "remote failed to report status"),
            False,
            False,
        ),
        (" \tabc:refs/heads/main\t1111111..2222222", (" ", "1111111..2222222", ""), False, False),
    ],
)
def test_the_porcelain_line_of_our_ref(
    line: str, status: tuple[str, str, str], behind: bool, refused: bool
) -> None:
    found = ref_status(porcelain(line), REF)

    assert found == PushStatus(*status)
    assert (found.behind, found.refused) == (behind, refused)


def test_other_refs_and_no_ref_lines_are_no_status() -> None:
    other = "!\tabc:refs/heads/mainline\t[remote rejected] (pre-receive hook declined)"

    assert ref_status(porcelain(other), REF) is None
    assert ref_status("", REF) is None
    assert ref_status("fatal: Could not read from remote repository.\n", REF) is None


def test_remote_lines_are_verbatim_without_padding_and_credentials() -> None:
    stderr = (
        "remote: error: GH006: Protected branch update failed for refs/heads/main.        \n"
        f"remote: error: Changes to {REPO} must be made through a pull request.        \n"
        "remote: see https://docs.example.invalid/rules?access_token=abc        \n"
        f"To {REPO}\n"
        f"error: failed to push some refs to '{REPO}'\n"
    )

    assert remote_lines(stderr, REPO) == [
        "remote: error: GH006: Protected branch update failed for refs/heads/main.",
        f"remote: error: Changes to {SHOWN} must be made through a pull request.",
        "remote: see https://docs.example.invalid/rules?***",
    ]


def test_a_hook_output_of_the_limit_is_shown_whole() -> None:
    stderr = "".join(f"remote: line {n}\n" for n in range(MAX_REMOTE_LINES))

    assert remote_lines(stderr, REPO) == [f"remote: line {n}" for n in range(MAX_REMOTE_LINES)]


def test_a_long_hook_output_is_cut_and_says_how_much() -> None:
    stderr = "".join(f"remote: line {n}\n" for n in range(MAX_REMOTE_LINES + 5))

    assert remote_lines(stderr, REPO) == [
        *(f"remote: line {n}" for n in range(MAX_REMOTE_LINES)),
        "(5 more remote: lines)",
    ]


def test_the_refusal_message() -> None:
    stderr = (
        f"{GH006}        \n"
        "remote: error: Changes must be made through a pull request.        \n"
        f"error: failed to push some refs to '{REPO}'\n"
    )

    message = refusal_message(
        source=SOURCE,
        repo=REPO,
        branch="main",
        reason="protected branch hook declined",
        stderr=stderr,
    )

    assert message == (
        f"The server refused the push to {SOURCE}: [remote rejected] (protected branch hook "
        "declined). Nothing was pushed, and pushing again would be refused again. git said:\n"
        f"    {GH006}\n"
        "    remote: error: Changes must be made through a pull request.\n"
        f"Repository {SHOWN}, branch main: a protected branch or a pre-receive hook refuses this "
        "credential's pushes. Either way out works:\n"
        "  - let the credential git pushes with push to main: a deploy key with write access "
        "that the branch's protection lets through (GitHub: a ruleset whose bypass list has "
        "deploy keys), loaded in the ssh agent of the shell that runs Pulumi; or\n"
        "  - commit to another branch that your GitOps controller tracks (the Argo CD "
        "Application's targetRevision) and this credential may push to: `pulumi config set "
        "--path 'openclaw-cron-webhook:section.git.branch' <branch>`.\n"
        "Then run the same Pulumi command again."
    )
    assert "s3cret" not in message
    assert "bot:" not in message


def test_a_refusal_without_remote_lines_says_so() -> None:
    message = refusal_message(
        source=SOURCE, repo=REPO, branch="gitops", reason="hook declined", stderr="error: x\n"
    )

    assert "git said:\n    (the server printed no remote: lines)\nRepository " in message
    assert f"Repository {SHOWN}, branch gitops: " in message
    assert "push to gitops: a deploy key" in message
