"""The output folder, written directly with `tools.plan.output` (no plan run): which folders an
earlier plan's are, what replacing one deletes, and what a refusal says. These are the cases
the whole-plan tests in test_plan_inputs.py do not reach: hand-edited or damaged markers, a
plan folder from before the marker, files the user deleted from an earlier plan."""

from __future__ import annotations

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
