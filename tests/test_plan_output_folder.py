"""The output folder, written directly with `tools.plan.output` (no plan run): which folders an
earlier plan's are, what replacing one deletes, and what a refusal says. These are the cases
the whole-plan tests in test_plan_inputs.py do not reach: hand-edited or damaged markers, a
plan folder from before the marker, files the user deleted from an earlier plan."""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

import pytest

from tools.plan import output
from tools.plan.errors import PlanError

NOT_A_PLAN = (
    "is not empty and not an earlier plan's output (no .openclaw-plan file as a plan writes it): "
    "the plan replaces its output folder, so give a new or empty folder"
)


def folder(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    out = tmp_path / "out"
    for name, content in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            (out / name).write_bytes(content)
        else:
            (out / name).write_text(content)
    return out


def refusal(out: Path) -> str:
    with pytest.raises(PlanError) as caught:
        output.check(out)
    return str(caught.value)


def test_a_plan_replaces_its_own_nested_folders_and_leaves_nothing_beside_them(
    tmp_path: Path,
) -> None:
    """Folders two deep that the earlier plan wrote are removed child first, so the retired
    folder goes away completely instead of lingering as `.out.*.old` next to `--out`."""
    out = tmp_path / "out"
    output.write(out, {"a/b/one.txt": "1"})
    output.write(out, {"two.txt": "2"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        ".openclaw-plan",
        "two.txt",
    ]


def test_a_file_the_user_deleted_from_an_earlier_plan_does_not_fail_the_next(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    output.write(out, {"plan.txt": "old", "plan.json": "{}"})
    (out / "plan.json").unlink()
    output.write(out, {"plan.txt": "new"})
    assert (out / "plan.txt").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_marker_entry_with_a_nul_byte_is_no_plans(tmp_path: Path) -> None:
    out = folder(tmp_path, {output.MARKER: "plan.txt\nplan\0.txt\n", "plan.txt": "x"})
    assert refusal(out) == f"--out {out} {NOT_A_PLAN}"


def test_a_marker_of_exactly_the_limit_is_read_and_one_byte_more_is_not(
    tmp_path: Path,
) -> None:
    listing = "plan.txt\n"
    padding = "#" * (64 * 1024 - len(listing) - 1) + "\n"
    out = folder(tmp_path, {output.MARKER: listing + padding, "plan.txt": "x"})
    assert (out / output.MARKER).stat().st_size == 64 * 1024
    output.check(out)  # a plan's folder: no refusal
    (out / output.MARKER).write_text(listing + "#" + padding)
    assert refusal(out) == f"--out {out} {NOT_A_PLAN}"


def test_blank_lines_and_comments_in_the_marker_are_not_file_names(tmp_path: Path) -> None:
    """A file named like a comment line is still the user's, so it is refused, not deleted."""
    out = folder(tmp_path, {output.MARKER: "# earlier plan\n\nplan.txt\n  \n#\n", "plan.txt": "x"})
    output.check(out)
    (out / "#").write_text("mine")
    assert refusal(out) == (
        f"--out {out} holds files an earlier plan did not write (#); "
        "move them away or give another folder"
    )


def test_a_marker_that_is_not_text_lists_nothing_and_the_users_files_are_foreign(
    tmp_path: Path,
) -> None:
    out = folder(tmp_path, {output.MARKER: b"\xff\xfegarbage\n", "notes.md": "mine"})
    assert refusal(out) == (
        f"--out {out} holds files an earlier plan did not write (notes.md); "
        "move them away or give another folder"
    )


def test_a_binary_plan_txt_is_not_an_earlier_plan(tmp_path: Path) -> None:
    out = folder(tmp_path, {"plan.txt": b"\x89PNG\r\n\x1a\n\xff\xff" + b"\xff" * 40})
    assert refusal(out) == f"--out {out} {NOT_A_PLAN}"


def test_a_pre_marker_plan_owns_only_its_files_and_kubernetes_yaml(tmp_path: Path) -> None:
    legacy = {"plan.txt": "Offline plan for stack 'dev'\n", "kubernetes/a.yaml": "{}"}
    out = folder(tmp_path, {**legacy, "kubernetes/README.md": "mine"})
    assert refusal(out) == (
        f"--out {out} holds files an earlier plan did not write (kubernetes/README.md); "
        "move them away or give another folder"
    )
    (out / "kubernetes/README.md").unlink()
    (out / "notes.yaml").write_text("mine")
    assert refusal(out) == (
        f"--out {out} holds files an earlier plan did not write (notes.yaml); "
        "move them away or give another folder"
    )


def test_an_out_folder_is_made_with_the_folders_above_it(tmp_path: Path) -> None:
    """`--out` may name a folder two levels below anything that exists (a fresh CI checkout's
    `build/plans/next`): the plan makes the whole path rather than failing after planning."""
    out = tmp_path / "build" / "plans" / "next"
    output.write(out, {"plan.txt": "x"})
    assert (out / "plan.txt").read_text() == "x"


def test_many_foreign_files_are_named_five_at_most_in_order(tmp_path: Path) -> None:
    """The refusal names the first five, sorted and comma-separated: enough to find them,
    short enough to read."""
    mine = {f"note-{n}.md": "mine" for n in (7, 1, 6, 3, 5, 2, 4)}
    out = folder(tmp_path, {output.MARKER: "plan.txt\n", "plan.txt": "x", **mine})
    assert refusal(out) == (
        f"--out {out} holds files an earlier plan did not write (note-1.md, note-2.md, "
        "note-3.md, note-4.md, note-5.md); move them away or give another folder"
    )


def test_an_unreadable_out_folder_is_refused_in_the_systems_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As for a user without read permission on it (root, who runs these tests, has it)."""
    out = folder(tmp_path, {"plan.txt": "x"})

    def unreadable(_: Path) -> set[str]:
        raise PermissionError(13, "Permission denied", str(out))

    monkeypatch.setattr(output, "_files", unreadable)
    assert refusal(out) == f"--out {out}: cannot read it (Permission denied)"


def test_an_out_below_a_file_is_refused_in_the_systems_words(tmp_path: Path) -> None:
    """A typo such as `--out plan.txt/next`: nothing can be made there, and nothing is left."""
    (tmp_path / "plan.txt").write_text("x")
    out = tmp_path / "plan.txt" / "next"
    with pytest.raises(PlanError) as caught:
        output.write(out, {"plan.txt": "y"})
    assert str(caught.value) == f"--out {out}: cannot write there (File exists)"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.txt"]


def test_a_file_that_cannot_be_written_fails_the_plan_and_leaves_nothing(tmp_path: Path) -> None:
    """A name longer than the file system allows (a Kubernetes name may be 253 characters,
    its file's name more): the refusal says why, and no half-written folder stays behind."""
    out = tmp_path / "out"
    with pytest.raises(PlanError) as caught:
        output.write(out, {"plan.txt": "x", f"kubernetes/{'n' * 300}.yaml": "{}"})
    assert str(caught.value) == f"--out {out}: cannot write there (File name too long)"
    assert list(tmp_path.iterdir()) == []


def test_the_plan_is_built_in_a_hidden_folder_beside_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beside `--out`, so that the swap is one rename on the same file system, and hidden and
    named after it (`.out.<random>.partial`), so that a run killed halfway leaves something
    recognisable rather than a folder that looks like a plan."""
    seen: list[list[str]] = []
    check = output.check

    def looking(out: Path) -> None:  # write checks `--out` again once the files are staged
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        check(out)

    monkeypatch.setattr(output, "check", looking)
    output.write(tmp_path / "out", {"plan.txt": "x"})
    [names] = seen
    assert len(names) == 1
    assert re.fullmatch(r"\.out\.[a-z0-9_]+\.partial", names[0]), names
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_the_plan_folder_is_readable_as_the_umask_allows(tmp_path: Path) -> None:
    """Not mkdtemp's 0700: a plan written by CI or a colleague is for others to read."""
    previous = os.umask(0o027)
    try:
        output.write(tmp_path / "out", {"plan.txt": "x"})
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o750


def test_a_failed_swap_puts_the_earlier_plan_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The earlier plan is moved aside before the new one takes its name; if that rename fails,
    the earlier plan is renamed back, so `--out` still holds a whole plan."""
    out = tmp_path / "out"
    output.write(out, {"plan.txt": "earlier"})
    rename = Path.rename

    def failing(self: Path, target: str | Path) -> Path:
        if self.name.endswith(".partial"):
            raise OSError(errno.EIO, "Input/output error")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", failing)
    with pytest.raises(PlanError) as caught:
        output.write(out, {"plan.txt": "new"})
    assert str(caught.value) == f"--out {out}: cannot write there (Input/output error)"
    assert (out / "plan.txt").read_text() == "earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
