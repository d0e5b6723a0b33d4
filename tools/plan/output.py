"""Writing the output folder so that it is either a complete plan or untouched.

Why: `--out` is a path the user types. The plan must never delete a file it did not write,
and a failed run must not leave half a plan (or an old plan next to new files) that looks
current. So each run writes a brand-new folder beside `--out`, lists what it wrote in a marker
file, and swaps it into place only when everything succeeded; an existing `--out` is replaced
only if its marker (or, for folders written before the marker existed, its plan.txt) shows it
holds nothing but an earlier plan's files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from tools.plan.errors import PlanError

MARKER = ".openclaw-plan"
_MARKER_HEADER = (
    "# Written by the offline plan (python -m tools.plan). Its next run replaces this folder;\n"
    "# it deletes only the files listed below. Files:\n"
)
# A plan lists a dozen files; a larger marker is no plan's, and is not read.
_MARKER_LIMIT = 64 * 1024
# What plans wrote before the marker existed; recognised by plan.txt's first line.
_LEGACY_FILES = ("plan.txt", "plan.json", "openclaw.json")
_LEGACY_FIRST_LINE = "Offline plan for stack "


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir()}


def _written_by_plan(folder: Path) -> set[str] | None:
    """The files an earlier plan wrote into `folder`, or None if it is not a plan's folder."""
    marker = folder / MARKER
    if marker.is_file():
        if marker.stat().st_size > _MARKER_LIMIT:
            return None
        listed = {
            line.strip()
            for line in marker.read_text(errors="replace").splitlines()
            if line.strip() and not line.startswith("#")
        }
        if not all(_inside(folder, name) for name in listed):
            return None
        return listed | {MARKER}
    try:
        with (folder / "plan.txt").open(errors="replace") as plan_txt:
            start = plan_txt.read(len(_LEGACY_FIRST_LINE))  # not the whole file, whatever it is
    except OSError:
        return None
    if start != _LEGACY_FIRST_LINE:
        return None
    return {
        f
        for f in _files(folder)
        if f in _LEGACY_FILES or (f.startswith("kubernetes/") and f.endswith(".yaml"))
    }


def _inside(folder: Path, name: str) -> bool:
    """Whether a marker's entry names a file inside `folder`: not absolute, not out of it
    through `..` or a symlink. A plan lists only such names, and the entries are deleted when
    the folder is replaced, so a marker with any other is no plan's."""
    try:
        resolved = (folder / name).resolve()
    except (OSError, RuntimeError, ValueError):  # a loop of symlinks, a NUL byte
        return False
    return not Path(name).is_absolute() and folder.resolve() in resolved.parents


def check(out: Path) -> None:
    """Refuse an `--out` the plan may not replace; nothing is written yet."""
    if out.exists() and not out.is_dir():
        raise PlanError(f"--out {out} is a file; give a folder (it is created if missing)")
    if not out.is_dir():
        return
    try:
        present = _files(out)
    except OSError as exc:
        raise PlanError(f"--out {out}: cannot read it ({exc.strerror or exc})") from None
    if not present:
        return
    ours = _written_by_plan(out)
    if ours is None:
        raise PlanError(
            f"--out {out} is not empty and not an earlier plan's output (no {MARKER} file as "
            "a plan writes it): "
            "the plan replaces its output folder, so give a new or empty folder"
        )
    foreign = sorted(present - ours)
    if foreign:
        raise PlanError(
            f"--out {out} holds files an earlier plan did not write ({', '.join(foreign[:5])}); "
            "move them away or give another folder"
        )


def _remove_plan_files(folder: Path, files: set[str]) -> None:
    """Delete exactly `files`, then the folders they leave empty; anything else stays."""
    for name in files:
        (folder / name).unlink(missing_ok=True)
    for directory in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
        if not any(directory.iterdir()):
            directory.rmdir()
    if not any(folder.iterdir()):
        folder.rmdir()


def write(out: Path, files: dict[str, str]) -> None:
    """Write `files` (relative path → text) as the new content of `out`, all or nothing."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp's 0700 would make the plan private to its writer
    except OSError as exc:
        raise PlanError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None
    try:
        for name, text in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_text(text)
        (staging / MARKER).write_text(_MARKER_HEADER + "".join(f"{n}\n" for n in sorted(files)))
        check(out)  # again: someone may have written into it while the plan ran
        if out.is_dir():
            previous = _written_by_plan(out) or set()
            retired = out.with_name(f".{out.name}.{staging.name}.old")
            out.rename(retired)
            try:
                staging.rename(out)
            except OSError:
                retired.rename(out)
                raise
            _remove_plan_files(retired, previous)
        else:
            staging.rename(out)
    except OSError as exc:
        raise PlanError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging)
