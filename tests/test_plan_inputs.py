"""Every bad input to the plan is exit 2 and one message naming the file or key (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from stack_files import CLUSTER_STACK_FILE

from tools.plan import app as plan
from tools.plan import judging as plan_judging
from tools.plan import reading
from tools.plan.errors import PlanError
from tools.plan.mock_runtime import ROOT
from tools.plan.output import MARKER

pytestmark = pytest.mark.usefixtures("shared_program_runs")

DEV = CLUSTER_STACK_FILE.read_text()
PHASE1 = '{"plugins": {"entries": {"diagnostics-otel": {"enabled": true}}}}\n'

# The cluster-mode dev stack (stack_files.py): these tests plan a live ConfigMap.
CLUSTER = ["--stack-file", str(CLUSTER_STACK_FILE)]


@pytest.fixture(autouse=True)
def no_installed_openclaw(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_judging, "pinned", lambda: None)


def fails(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Runs the plan, expecting exit 2 with exactly one `plan failed:` line; returns it."""
    assert plan.main(args) == 2
    captured = capsys.readouterr()
    failed = [line for line in captured.err.splitlines() if line.startswith("plan failed: ")]
    assert len(failed) == 1, captured.err
    assert "Traceback" not in captured.err
    return failed[0]


def stack_file(tmp_path: Path, text: str, name: str = "case") -> str:
    path = tmp_path / f"Pulumi.{name}.yaml"
    path.write_text(text)
    return str(path)


# --- the stack file --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "config:\n  openclaw-cron-webhook:namespace: a\n  openclaw-cron-webhook:namespace: b\n",
            "invalid YAML at line 3, column 3: duplicate key "
            "'openclaw-cron-webhook:namespace' (first at line 2)",
        ),
        (
            "config:\n  openclaw-cron-webhook:namespace:\n",
            "config key openclaw-cron-webhook:namespace is null",
        ),
        (
            "config:\n  openclaw-cron-webhook:token:\n    rotation: ~\n",
            "config key openclaw-cron-webhook:token.rotation is null",
        ),
        ("- config\n- x\n", "a stack file is a mapping with a `config:` key, not a list"),
        ("config: [1, 2]\n", "`config:` must be a mapping"),
        ("config:\n  a: [\n", "invalid YAML at line 3, column 1"),
        ("config:\n  a:b:c: 1\n", "config key 'a:b:c' is not of the form"),
        (
            "config:\n  x: &a 1\n  y: *a\n",
            "Pulumi.case.yaml: line 3, column 6: a YAML alias (*a): aliases are refused, because "
            "a few nested ones expand into gigabytes and no manifest, stack file or kubeconfig "
            "needs one; write the value out",
        ),
        (  # a billion laughs: refused at the first alias, before anything expands
            "a: &a [lol]\n"
            + "".join(
                f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            )
            + "config: {}\n",
            "Pulumi.case.yaml: line 2, column 8: a YAML alias (*a)",
        ),
        (
            "config:\n  openclaw-cron-webhook:token:\n    <<: {rotation: '2'}\n",
            "Pulumi.case.yaml: line 3, column 5: a YAML merge key (<<): merge keys are refused, "
            "because they only reuse an anchored value and nested ones expand exponentially; "
            "write the keys out",
        ),
        ("config:\n  x: {!!merge a: 1}\n", "line 2, column 7: a YAML merge key (<<)"),
        ("config:\n  x:\n    1: a\n", "key 1 is not a string (quote it)"),
        ("config:\n  x: .nan\n", "nan is not a number JSON can carry"),
        ("config: {}\n---\nconfig: {}\n", "holds 2 YAML documents"),
    ],
)
def test_bad_stack_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    path = stack_file(tmp_path, text)
    message = fails(["--stack-file", path, "--out", str(tmp_path / "out")], capsys)
    assert expected in message
    assert "Pulumi.case.yaml" in message


def test_yaml_12_words_stay_strings_as_pulumi_reads_them(tmp_path: Path) -> None:
    """`yes` is a string to Go's YAML, so the program must refuse it as a bool, not take it."""
    path = stack_file(tmp_path, "config:\n  openclaw-cron-webhook:cron:\n    enabled: yes\n")
    stack = plan.load_stack(ROOT, None, Path(path))
    assert stack.config.values["openclaw-cron-webhook:cron"] == {"enabled": "yes"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--stack", "nope"], "no stack file Pulumi.nope.yaml"),
        (["--stack", "org/other-project/dev"], "belongs to project 'other-project'"),
        (["--stack", "a/b/c/d"], "a stack is NAME, ORG/NAME or ORG/PROJECT/NAME"),
        (["--stack", "bad name"], "a stack is NAME"),
        (["--stack-file", "/nonexistent/Pulumi.x.yaml"], "no such file"),
        (["--stack-file", str(ROOT / "README.md")], "must be named Pulumi.<stack>.yaml"),
        (["--stack-file", str(ROOT / "Pulumi.yaml")], "must be named Pulumi.<stack>.yaml"),
    ],
)
def test_bad_stack_names(
    args: list[str], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert expected in fails([*args, "--out", str(tmp_path / "out")], capsys)


def test_fully_qualified_stack_uses_the_last_segment(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert plan.main(["--stack", "my-org/openclaw-cron-webhook/dev", "--out", str(out)]) == 0
    assert json.loads((out / "plan.json").read_text())["stack"] == "dev"


def test_any_argument_keeps_dev_as_the_default_stack(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert plan.main([*CLUSTER, "--out", str(out)]) == 0
    assert json.loads((out / "plan.json").read_text())["stack"] == "dev"


# --- the base openclaw.json ------------------------------------------------------------------


def test_base_config_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = ["--out", str(tmp_path / "out")]
    binary = tmp_path / "binary"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    huge = tmp_path / "huge.json"
    huge.write_text('{"x": "' + "a" * (1024 * 1024) + '"}')
    manifest = tmp_path / "cm.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n")
    service = tmp_path / "svc.yaml"
    service.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n")
    cases = {
        str(tmp_path / "missing.json"): "no such file",
        str(tmp_path): "is a folder, not a file",
        str(binary): "is not UTF-8 text (byte 0x89 at offset 0)",
        str(huge): "a ConfigMap holds at most 1 MiB (1,048,576 bytes)",
        str(manifest): "the ConfigMap has no data key 'openclaw.json' (the stack's config.key)",
        str(service): "neither an openclaw.json document (a JSON object) nor a ConfigMap",
    }
    for path, expected in cases.items():
        message = fails([*CLUSTER, "--base-config", path, *out], capsys)
        assert expected in message
        assert path in message


def test_a_section_that_pushes_the_configmap_over_1_mib_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "openclaw.json"
    padding = "a" * (1024 * 1024 - len(PHASE1) - 20)
    base.write_text(PHASE1[:-2] + f', "x": "{padding}"}}\n')
    message = fails([*CLUSTER, "--base-config", str(base), "--out", str(tmp_path / "out")], capsys)
    assert "the resulting ConfigMap would hold" in message
    assert "at most 1 MiB" in message


# --- the base Deployment ---------------------------------------------------------------------


def deployment(containers: list[str], name: str = "openclaw") -> dict[str, object]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "openclaw", "resourceVersion": "7"},
        "spec": {
            "selector": {"matchLabels": {"app": "o"}},
            "template": {
                "metadata": {"labels": {"app": "o"}},
                "spec": {"containers": [{"name": c, "image": "img"} for c in containers]},
            },
        },
        "status": {"replicas": 1},
    }


def test_a_misspelt_container_is_refused_against_the_sample(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = DEV.replace("container: openclaw", "container: openclw")
    path = stack_file(tmp_path, text)
    message = fails(["--stack-file", path, "--out", str(tmp_path / "out")], capsys)
    assert "deployment.container 'openclw' is not a container of the sample" in message
    assert "(its containers: openclaw, config-manager)" in message


def test_a_misspelt_container_is_refused_against_the_live_deployment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = tmp_path / "live.yaml"
    live.write_text(yaml.safe_dump(deployment(["gateway", "sidecar"])))
    message = fails(
        [*CLUSTER, "--base-deployment", str(live), "--out", str(tmp_path / "out")], capsys
    )
    assert (
        f"deployment.container 'openclaw' is not a container of Deployment openclaw/openclaw "
        f"in {live} (its containers: gateway, sidecar)" in message
    )


def test_the_live_deployment_is_merged_and_validated(tmp_path: Path) -> None:
    """`kubectl get -o json` of a List works; the env entry lands in the named container."""
    live = tmp_path / "live.json"
    items = [deployment(["x"], name="other"), deployment(["openclaw", "sidecar"])]
    live.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
    out = tmp_path / "out"
    assert plan.main([*CLUSTER, "--base-deployment", str(live), "--out", str(out)]) == 0
    text = (out / "plan.txt").read_text()
    assert f"merged into Deployment openclaw/openclaw in {live}: valid (k8s 1.33)" in text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            yaml.safe_dump(deployment(["openclaw"], name="someone-else")),
            "expected one Deployment (the stack's deployment.name is openclaw/openclaw); "
            "found Deployment openclaw/someone-else",
        ),
        (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: openclaw}\nspec:\n"
            "  replicas: x\n  template: {spec: {containers: [{name: openclaw, image: i}]}}\n",
            "is not a valid Deployment (k8s 1.33): spec.replicas: 'x' is not of type",
        ),
        (
            "kind: Deployment\nmetadata: {name: openclaw}\n"
            "spec: {template: {spec: {containers: [{name: openclaw, image: i}]}}}\n",
            "has no valid apiVersion and kind (None, 'Deployment')",
        ),
        ("{not json", "invalid JSON at line 1, column 2"),
        ("a: b\n  c: d\n", "invalid YAML at line 2"),
        (  # what the file holds instead is named, even when it is no object of any kind
            "metadata: {name: openclaw, namespace: openclaw}\n---\n- openclaw\n",
            "expected one Deployment (the stack's deployment.name is openclaw/openclaw); "
            "found an object without kind openclaw/openclaw, a list",
        ),
    ],
)
def test_bad_base_deployments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    path = tmp_path / "deploy.yaml"
    path.write_text(content)
    assert expected in fails(
        [*CLUSTER, "--base-deployment", str(path), "--out", str(tmp_path / "o")], capsys
    )


def test_a_literal_value_for_our_variable_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = deployment(["openclaw"])
    container = live["spec"]["template"]["spec"]["containers"][0]  # type: ignore[index]
    container["env"] = [{"name": "OPENCLAW_CRON_WEBHOOK_TOKEN", "value": "hand-made"}]
    path = tmp_path / "live.yaml"
    path.write_text(yaml.safe_dump(live))
    message = fails(
        [*CLUSTER, "--base-deployment", str(path), "--out", str(tmp_path / "out")], capsys
    )
    assert "already sets OPENCLAW_CRON_WEBHOOK_TOKEN to a literal value" in message


# --- paths and the output folder -------------------------------------------------------------


def test_relative_paths_are_the_callers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """bin/plan runs from the repository and passes the caller's folder on."""
    (tmp_path / "Pulumi.mine.yaml").write_text(DEV)
    (tmp_path / "base.json").write_text(PHASE1)
    monkeypatch.setenv(plan.CALLER_DIR_ENV, str(tmp_path))
    args = ["--stack-file", "Pulumi.mine.yaml", "--base-config", "base.json", "--out", "out"]
    assert plan.main(args) == 0
    assert json.loads((tmp_path / "out" / "plan.json").read_text())["stack"] == "mine"
    assert "written to" in capsys.readouterr().err


def test_bin_plan_passes_the_callers_folder() -> None:
    script = (ROOT / "bin" / "plan").read_text()
    before, _, after = script.partition("source ")
    assert f'export {plan.CALLER_DIR_ENV}="$PWD"' in before  # set before _venv.sh cds away
    assert '-m tools.plan "$@"' in after


def test_out_that_is_a_file_or_unwritable_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("mine")
    assert "is a file; give a folder" in fails([*CLUSTER, "--out", str(a_file)], capsys)
    assert a_file.read_text() == "mine"
    message = fails([*CLUSTER, "--out", str(a_file / "out")], capsys)  # no folder can go there
    assert f"--out {a_file / 'out'}: cannot write there" in message
    assert a_file.read_text() == "mine"


def test_a_folder_of_someone_elses_files_is_refused_and_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.md").write_text("mine")
    assert "not empty and not an earlier plan's output" in fails(
        [*CLUSTER, "--out", str(out)], capsys
    )
    assert [p.name for p in out.iterdir()] == ["notes.md"]


def test_a_marker_larger_than_any_plan_writes_is_not_read_and_the_folder_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.md").write_text("mine")
    (out / MARKER).write_text("notes.md\n" * 8000)  # lists the file, but 72 kB: no plan's

    message = fails([*CLUSTER, "--out", str(out)], capsys)

    assert f"not an earlier plan's output (no {MARKER} file as a plan writes it)" in message
    assert (out / "notes.md").read_text() == "mine"


@pytest.mark.parametrize(
    "entry",
    ["../victim.txt", "kubernetes/../../victim.txt", "{victim}", "."],
    ids=["parent", "through-a-folder", "absolute", "the-folder"],
)
def test_a_marker_listing_a_file_outside_the_folder_makes_it_foreign_deleting_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: str
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("not the plan's")
    out = tmp_path / "out"
    assert plan.main([*CLUSTER, "--out", str(out)]) == 0
    with (out / MARKER).open("a") as marker:
        marker.write(entry.format(victim=victim) + "\n")

    message = fails([*CLUSTER, "--out", str(out)], capsys)

    assert f"not an earlier plan's output (no {MARKER} file as a plan writes it)" in message
    assert victim.read_text() == "not the plan's"


def test_an_earlier_plan_is_replaced_but_a_file_added_to_it_is_not_deleted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert plan.main([*CLUSTER, "--out", str(out)]) == 0
    assert MARKER in {p.name for p in out.iterdir()}
    assert plan.main([*CLUSTER, "--out", str(out)]) == 0  # a plan's own folder is replaced
    (out / "kubernetes" / "mine.yaml").write_text("mine")
    message = fails([*CLUSTER, "--out", str(out)], capsys)
    assert "holds files an earlier plan did not write (kubernetes/mine.yaml)" in message
    assert (out / "kubernetes" / "mine.yaml").read_text() == "mine"


def test_a_failed_run_leaves_the_previous_plan_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert plan.main([*CLUSTER, "--out", str(out)]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = stack_file(tmp_path, "config:\n  openclaw-cron-webhook:namespace: Bad_Name\n")
    assert plan.main(["--stack-file", bad, "--out", str(out)]) == 2
    assert f"nothing was written to {out} (it still holds an EARLIER plan)" in (
        capsys.readouterr().err
    )
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Pulumi.case.yaml", "out"]


def test_a_plan_folder_from_before_the_marker_is_recognised(tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    (out / "kubernetes").mkdir(parents=True)
    (out / "plan.txt").write_text("Offline plan for stack 'dev' (Pulumi mock runtime; ...)\n")
    (out / "openclaw.json").write_text("{}")
    (out / "kubernetes" / "enventry-old-openclaw.yaml").write_text("{}")
    assert plan.main([*CLUSTER, "--out", str(out)]) == 0
    assert not (out / "kubernetes" / "enventry-old-openclaw.yaml").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rendered"]


# --- tools.plan.reading, directly ------------------------------------------------------------


def test_a_yaml_error_without_a_position_is_reported_as_its_text() -> None:
    exc = yaml.MarkedYAMLError(problem="something is wrong", problem_mark=None)
    assert str(reading._yaml_error(Path("m.yaml"), exc)) == (
        "m.yaml: invalid YAML: something is wrong"
    )


def test_a_yaml_reader_error_is_one_line_naming_the_file() -> None:
    with pytest.raises(PlanError) as caught:
        reading.load_yaml_documents("a: \x07\n", Path("m.yaml"))
    assert str(caught.value) == (
        "m.yaml: invalid YAML: unacceptable character #x0007: control characters are not "
        'allowed in "<unicode string>", position 3'
    )


def test_a_json_manifest_nested_too_deeply_names_the_file() -> None:
    with pytest.raises(PlanError) as caught:
        reading.load_manifests('{"a": ' + "[" * 200_000, Path("m.json"))
    assert str(caught.value) == "m.json: nested too deeply to be a manifest"


def test_invalid_json_and_yaml_manifests_name_the_file() -> None:
    with pytest.raises(PlanError) as caught:
        reading.load_manifests('{"a": }', Path("m.json"))
    assert str(caught.value) == "m.json: invalid JSON at line 1, column 7: Expecting value"
    with pytest.raises(PlanError) as caught:
        reading.load_manifests("a: [\n", Path("m.yaml"))
    assert str(caught.value) == (
        "m.yaml: invalid YAML at line 2, column 1: did not find expected node content"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"kind": "List"}', True),
        (' \n\t{"kind": "List"}', True),
        ('// a comment\n/* another */ {"kind": "List"}', True),
        ("kind: List\n", False),
        ('// a comment\nkind: "{"\n', False),
    ],
)
def test_a_json_object_is_told_after_json5_whitespace_and_comments(
    text: str, expected: bool
) -> None:
    assert reading.looks_like_json_object(text) is expected


@pytest.mark.parametrize(("value", "base"), [("0b_", 2), ("0x_", 16)])
def test_a_value_yaml_reads_as_a_number_but_cannot_build_is_one_line_naming_the_file(
    value: str, base: int
) -> None:
    """PyYAML's int resolver matches `0b_` and `0x_`, then fails to build them (a ValueError
    out of the loader, not a YAMLError): still the file's one-line error, never a traceback."""
    with pytest.raises(PlanError) as raised:
        reading.load_yaml_documents(f"a: {value}\n", Path("m.yaml"))

    assert str(raised.value) == (
        "m.yaml: invalid YAML: a value read as a number is not one "
        f"(invalid literal for int() with base {base}: '')"
    )


def test_a_file_of_exactly_the_limit_is_read_and_one_byte_more_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text("a" * 1000)
    assert reading.read_text(path, "the stack file", 1000, "too big") == "a" * 1000
    path.write_text("a" * 1001)
    with pytest.raises(PlanError) as caught:
        reading.read_text(path, "the stack file", 1000, "too big")
    assert str(caught.value) == f"the stack file {path} is 1,001 bytes: too big"


def test_an_unreadable_path_says_why_in_the_systems_words(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    path = tmp_path / "a-file" / "Pulumi.dev.yaml"
    with pytest.raises(PlanError) as caught:
        reading.read_text(path, "the stack file", 1000, "too big")
    assert str(caught.value) == f"the stack file {path}: cannot read it (Not a directory)"


def test_a_text_file_with_a_nul_byte_is_refused_as_binary(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_bytes(b"a: b\x00c\n")
    with pytest.raises(PlanError) as caught:
        reading.read_text(path, "the stack file", 1000, "too big")
    assert str(caught.value) == (f"the stack file {path} contains NUL bytes: is it a binary file?")


def test_yaml_too_deep_for_python_is_one_line_naming_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """libyaml stops at depth 1000 itself; a RecursionError (a caller already deep in its
    stack) is still the file's one-line error."""

    def too_deep(text: str) -> None:
        raise RecursionError

    monkeypatch.setattr(reading, "refuse_references", too_deep)
    with pytest.raises(PlanError) as caught:
        reading.load_yaml_documents("a: 1\n", Path("m.yaml"))
    assert str(caught.value) == "m.yaml: nested too deeply to be a stack file or manifest"
