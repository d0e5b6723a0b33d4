"""plan.json as text: indented by two and written in UTF-8 as it is, not \\u-escaped.

Why: reviewers read plan.json in a PR's artifact and diff it between runs; a path or value in
Japanese (the project's other language) must read as written, and the indentation keeps a
one-field change a one-line diff.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from stack_files import CLUSTER_STACK_FILE

from tools.plan import app as plan
from tools.plan import judging as plan_judging


def test_plan_json_is_indented_by_two_and_keeps_non_ascii_as_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(plan_judging, "pinned", lambda: None)
    monkeypatch.setenv("OPENCLAW_CRON_WEBHOOK_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "設定"
    folder.mkdir()
    stack_file = folder / CLUSTER_STACK_FILE.name
    shutil.copy(CLUSTER_STACK_FILE, stack_file)
    out = tmp_path / "out"
    assert plan.main(["--stack-file", str(stack_file), "--out", str(out)]) == 0
    text = (out / "plan.json").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "{"
    assert lines[1] == f'  "schema_version": {json.loads(text)["schema_version"]},'
    assert f'  "stack_file": "{stack_file}",' in lines
    assert text.endswith("}\n")
