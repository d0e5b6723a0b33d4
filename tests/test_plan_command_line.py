"""The plan's command line: its help, its defaults, and what it says when it cannot plan.

`--help` is the reference a reviewer reads before running the plan, so it is pinned word for
word (a change to it is a change to the interface, made on purpose). The rest: where output
goes by default, what relative paths are relative to, which file a failure blames (the one
the user named, or the repository's sample), and what is left in the output folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.plan import app as plan
from tools.plan import judging as plan_judging
from tools.plan import output as plan_output
from tools.plan.mock_runtime import ROOT

pytestmark = pytest.mark.usefixtures("shared_program_runs")

HELP = """\
usage: python -m tools.plan [-h] [--stack STACK | --stack-file FILE] [--base-config FILE]
                            [--base-deployment FILE] [--out DIR] [--compare PLAN_JSON]
                            [--openclaw PATH | --openclaw-version X | --no-openclaw]
                            [--artifact-url URL]

Offline plan of a stack: no cloud, no cluster, no Pulumi CLI.

options:
  -h, --help            show this help message and exit
  --stack STACK         NAME, ORG/NAME or ORG/PROJECT/NAME: reads Pulumi.NAME.yaml (default dev)
  --stack-file FILE     a Pulumi.NAME.yaml anywhere; the stack is NAME
  --base-config FILE    openclaw.json to apply the section to: a raw document or a ConfigMap
                        manifest (default examples/openclaw.json); with section.target git, the
                        repository's ConfigMap manifest the commit edits (default: a sample built
                        from examples/openclaw.json)
  --base-deployment FILE
                        the Deployment the env entry lands on, e.g. `kubectl get deploy -o yaml`;
                        its image is shown beside the judging OpenClaw (default: the sample
                        examples/deployment.yaml)
  --out DIR             output folder (default rendered/plan/)
  --compare PLAN_JSON   an earlier plan's plan.json: show what changes
  --openclaw PATH       an `openclaw` executable or openclaw.mjs to validate openclaw.json with
                        (default: the pinned release, installed into the cache on first use)
  --openclaw-version X  judge with OpenClaw release X (e.g. the one your pods run), installed into
                        the cache on first use; 2026.3.2 or later
  --no-openclaw         skip OpenClaw's verdict: install and run no OpenClaw; plan.txt, plan.json
                        and plan.md say it was skipped
  --artifact-url URL    where the output folder can be downloaded, e.g. the CI run that uploads it
                        as its artifact; plan.md links to it (default: plan.md says the files are
                        beside it)
"""


@pytest.fixture(autouse=True)
def no_installed_openclaw(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_judging, "pinned", lambda: None)
    monkeypatch.delenv(plan.CALLER_DIR_ENV, raising=False)


def failure(args: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert plan.main(args) == 2
    return capsys.readouterr().err.splitlines()


def test_help_documents_every_option_and_its_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "100")

    with pytest.raises(SystemExit) as exited:
        plan.main(["--help"])

    assert exited.value.code == 0
    assert capsys.readouterr().out == HELP


def test_output_goes_to_rendered_plan_by_default() -> None:
    assert plan.options_from([]).out == ROOT / "rendered" / "plan"


def test_relative_paths_are_relative_to_where_the_plan_runs() -> None:
    """Run directly (not through bin/plan), the caller's folder is the current one."""
    options = plan.options_from(["--out", "out", "--base-config", "base.json"])

    assert (options.out, options.base_config) == (Path("out"), Path("base.json"))


def test_a_failure_says_nothing_was_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"

    err = failure(["--stack", "nosuch", "--out", str(out)], capsys)

    assert err[-1] == f"nothing was written to {out}"
    assert not out.exists()


def test_a_failure_says_an_earlier_plan_is_still_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / plan_output.MARKER).write_text("# an earlier plan\n")

    err = failure(["--stack", "nosuch", "--out", str(out)], capsys)

    assert err[-1] == f"nothing was written to {out} (it still holds an EARLIER plan)"


@pytest.mark.parametrize(
    ("option", "what"),
    [("--base-config", "--base-config"), ("--base-deployment", "--base-deployment")],
)
def test_a_missing_file_the_user_named_is_blamed_by_its_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, what: str
) -> None:
    missing = tmp_path / "missing.yaml"

    err = failure([option, str(missing), "--out", str(tmp_path / "out")], capsys)

    assert f"plan failed: {what} {missing}: no such file" in err


@pytest.mark.parametrize(
    ("default", "what"),
    [
        ("tools.plan.document.DEFAULT_BASE", "base document"),
        ("tools.plan.kubernetes_files.SAMPLE_DEPLOYMENT", "sample Deployment"),
    ],
)
def test_a_missing_sample_is_not_blamed_on_an_option_nobody_gave(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    default: str,
    what: str,
) -> None:
    missing = tmp_path / "gone.json"
    monkeypatch.setattr(default, missing)

    err = failure(["--out", str(tmp_path / "out")], capsys)

    assert f"plan failed: {what} {missing}: no such file" in err


def test_a_secure_value_in_the_stack_file_is_refused_as_the_program_would(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = tmp_path / "Pulumi.sec.yaml"
    stack.write_text("config:\n  openclaw-cron-webhook:namespace:\n    secure: v1:AAAA\n")

    err = failure(["--stack-file", str(stack), "--out", str(tmp_path / "out")], capsys)

    assert err[:2] == [
        f"plan failed: {stack}: invalid stack configuration (1 problem(s)); nothing was "
        "registered or changed:",
        '  - openclaw-cron-webhook:namespace = "[secret]": is set as a secret, but no setting of '
        "this stack is sensitive (the token is generated, never configured) and every setting "
        "is written in plain text to the resources it configures.",
    ]
