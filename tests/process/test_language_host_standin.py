"""The language-host stand-in (e2e/harness/standins/language_host) over its real gRPC interface.

Why here and not under e2e/: these need no toolchain and take a few seconds, so they belong to
the unit layer, which is `tests/`. The servicer runs in this process on a free loopback port;
the engine side is a gRPC stub. Programs are run by a recording exec script (stdlib only) in
place of pulumi-language-python-exec, so each test sees exactly the command line and the
environment the host built, and what the host made of each exit. Every process a test starts
is stopped by pid; the cancellation tests check by pid that nothing outlives its stop.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, language_pb2, language_pb2_grpc

from e2e.harness import pins, toolchain_go
from e2e.harness.standins.language_host import LABEL
from e2e.harness.standins.language_host.host import LanguageHostStandin
from e2e.harness.standins.language_host.server import (
    find_executor,
    parse_arguments,
    restore_pythonpath,
)

pytestmark = pytest.mark.process  # gRPC servers and the Python programs they start

ENGINE = "127.0.0.1:1"  # passed to programs as --engine; nothing here dials it
WAIT_SECONDS = 10.0

# Stands in for pulumi-language-python-exec: records what it was given, then runs the program
# (the entry point under --pwd) as the real script would, exit code and all.
RECORDING_EXEC = """
import argparse, json, os, runpy, sys
record = {
    "argv": sys.argv[1:],
    "python": sys.executable,
    "cwd": os.getcwd(),
    "env": {key: os.environ.get(key) for key in (
        "PULUMI_CONFIG", "PULUMI_CONFIG_SECRET_KEYS", "VIRTUAL_ENV", "PATH", "PYTHONHOME")},
}
with open(os.environ["RECORD"], "w") as sink:
    json.dump(record, sink)
parser = argparse.ArgumentParser()
for flag in ("monitor", "engine", "project", "root_directory", "stack", "pwd", "dry_run",
             "parallel", "tracing", "organization"):
    parser.add_argument(f"--{flag}")
parser.add_argument("PROGRAM")
parser.add_argument("ARGS", nargs="*")
args = parser.parse_args()
os.chdir(args.pwd)
runpy.run_path(args.PROGRAM, run_name="__main__")
"""

PROGRAMS = {
    "ok": "",
    "bail": "import sys\nsys.exit(32)\n",
    "fails": "import sys\nprint('boom: the program broke', file=sys.stderr)\nsys.exit(1)\n",
    # Writes its pid and a grandchild's, then waits: what a stop must end, group and all.
    "hangs": (
        "import os, subprocess, sys, time\n"
        "child = subprocess.Popen(['sleep', '600'])\n"
        "with open(os.environ['PIDS'], 'w') as sink:\n"
        "    sink.write(f'{os.getpid()} {child.pid}')\n"
        "time.sleep(600)\n"
    ),
}

# A policy pack that answers like pulumi_policy does (port on stdout first), and reports the
# stack it was started with in its analyzer info, so the test sees the environment it got.
PACK_MAIN = """
import json, os, sys, time
from concurrent import futures
import grpc
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

class Pack(analyzer_pb2_grpc.AnalyzerServicer):
    def ConfigureStack(self, request, context):
        print(f"configured stack {request.stack}", file=sys.stderr, flush=True)
        return analyzer_pb2.AnalyzerStackConfigureResponse()

    def GetAnalyzerInfo(self, request, context):
        keys = ("PULUMI_PROJECT", "PULUMI_STACK", "PULUMI_DRY_RUN", "PULUMI_CONFIG", "FROM_ENGINE")
        seen = {key: os.environ.get(key) for key in keys}
        seen["cwd"] = os.getcwd()
        seen["argv"] = sys.argv[1:]
        return analyzer_pb2.AnalyzerInfo(name="fixture-pack", description=json.dumps(seen))

with open(os.environ["PIDS"], "w") as sink:
    sink.write(str(os.getpid()))
server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
analyzer_pb2_grpc.add_AnalyzerServicer_to_server(Pack(), server)
port = server.add_insecure_port("127.0.0.1:0")
server.start()
sys.stdout.buffer.write(f"{port}\\n".encode())
print("pack says hello", flush=True)
time.sleep(600)
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with a virtualenv whose python is this one, and one folder a program."""
    venv_bin = tmp_path / "project" / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python").symlink_to(sys.executable)
    for name, text in PROGRAMS.items():
        folder = tmp_path / "project" / name
        folder.mkdir()
        (folder / "__main__.py").write_text(text)
    return tmp_path / "project"


@pytest.fixture
def served(
    tmp_path: Path,
) -> Iterator[tuple[LanguageHostStandin, language_pb2_grpc.LanguageRuntimeStub]]:
    """The servicer on a free loopback port, a stub to it; both stopped after the test."""
    executor = tmp_path / "recording-exec"
    executor.write_text(RECORDING_EXEC)
    environ = {
        "PATH": os.environ["PATH"],
        "PYTHONHOME": "/nowhere",
        "RECORD": str(tmp_path / "record.json"),
        "PIDS": str(tmp_path / "pids"),
        "FROM_ENGINE": "kept",
    }
    host = LanguageHostStandin(str(executor), ENGINE, tracing="", environ=environ)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(host, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield host, language_pb2_grpc.LanguageRuntimeStub(channel)
    finally:
        host.shutdown()
        channel.close()
        server.stop(grace=None)


Served = tuple[LanguageHostStandin, language_pb2_grpc.LanguageRuntimeStub]


def info(root: Path, program: str, **options: Any) -> language_pb2.ProgramInfo:
    struct = struct_pb2.Struct()
    struct.update(options)
    return language_pb2.ProgramInfo(
        root_directory=str(root),
        program_directory=str(root / program),
        entry_point=".",
        options=struct,
    )


def run_request(root: Path, program: str, **options: Any) -> language_pb2.RunRequest:
    return language_pb2.RunRequest(
        monitor_address="127.0.0.1:5",
        project="proj",
        stack="dev",
        pwd=str(root / program),
        dryRun=True,
        parallel=4,
        organization="organization",
        config={"proj:b": "x", "proj:a": "1"},
        configSecretKeys=["proj:b"],
        args=["extra"],
        info=info(root, program, **({"virtualenv": "venv"} | options)),
    )


def recorded(tmp_path: Path) -> dict[str, Any]:
    return json.loads((tmp_path / "record.json").read_text())


def alive(pid: int) -> bool:
    """Running, as opposed to gone or a zombie nobody reaped yet (e.g. without an init)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):  # ESRCH: gone between open and read
        return False
    return state != "Z"


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def pids(tmp_path: Path) -> list[int]:
    path = tmp_path / "pids"
    wait_for(lambda: path.is_file() and path.read_text().strip() != "", "the pid file")
    return [int(pid) for pid in path.read_text().split()]


# --- GetPluginInfo and the launcher's arguments ------------------------------------------------


def test_plugin_info_is_the_pinned_engine_version_marked_as_a_stand_in(served: Served) -> None:
    version = served[1].GetPluginInfo(empty_pb2.Empty()).version
    assert version == pins.load()["go"]["pulumi"].removeprefix("v") + "-standin"
    assert version == "3.274.1-standin"


def test_arguments_as_the_engine_passes_them() -> None:
    args = parse_arguments(["--logtostderr", "-v=9", "--tracing", "http://t", "127.0.0.1:7"])
    assert (args.engine_address, args.tracing, args.verbose, args.logtostderr) == (
        "127.0.0.1:7",
        "http://t",
        "9",
        True,
    )
    go_style = parse_arguments(["-use-executor", "/x/exec", "-invoked-as", "/b/h", "127.0.0.1:8"])
    assert (go_style.executor, go_style.invoked_as, go_style.engine_address) == (
        "/x/exec",
        "/b/h",
        "127.0.0.1:8",
    )
    assert parse_arguments([]).engine_address == ""


def test_exec_script_found_beside_the_launcher_then_beside_pulumi(tmp_path: Path) -> None:
    launcher_dir, pulumi_dir = tmp_path / "toolchain", tmp_path / "cli"
    for folder in (launcher_dir, pulumi_dir):
        folder.mkdir()
        (folder / "pulumi-language-python-exec").write_text("")
    (pulumi_dir / "pulumi").write_text("")
    (pulumi_dir / "pulumi").chmod(0o755)
    environ = {"PATH": str(pulumi_dir)}
    launcher = str(launcher_dir / "pulumi-language-python")
    assert find_executor("", launcher, environ) == str(launcher_dir / "pulumi-language-python-exec")
    elsewhere = str(tmp_path / "pulumi-language-python")
    assert find_executor("", elsewhere, environ) == str(pulumi_dir / "pulumi-language-python-exec")
    assert find_executor("/given", elsewhere, environ) == "/given"
    with pytest.raises(RuntimeError) as missing:
        find_executor("", elsewhere, {"PATH": str(tmp_path / "empty")})
    assert str(missing.value) == (
        f"missing executor pulumi-language-python-exec: looked in {tmp_path}; the Go toolchain "
        "installs it beside pulumi (python -m e2e.harness.toolchain_go)"
    )


def test_programs_get_the_engines_pythonpath_not_the_launchers() -> None:
    repo = str(Path(__file__).resolve().parents[2])
    environ = {"PYTHONPATH": f"{repo}:/user/path"}
    restore_pythonpath(environ)
    assert environ == {"PYTHONPATH": "/user/path"}
    alone = {"PYTHONPATH": repo}
    restore_pythonpath(alone)
    assert alone == {}
    untouched = {"PYTHONPATH": "/user/path"}
    restore_pythonpath(untouched)
    assert untouched == {"PYTHONPATH": "/user/path"}


def test_the_toolchain_links_the_launcher_beside_pulumi_until_the_real_host_is_pinned(
    tmp_path: Path,
) -> None:
    ctx = toolchain_go.Ctx(go_pins={"pulumi_language_python": ""}, cache=tmp_path, env={})
    ctx.bin_dir.mkdir()
    link = ctx.bin_dir / "pulumi-language-python"
    launcher = Path(toolchain_go.__file__).resolve().parent / "standins" / "bin" / link.name
    link.symlink_to(tmp_path / "an-old-checkout")
    toolchain_go.link_language_host_standin(ctx)
    assert link.readlink() == launcher
    assert os.access(link, os.X_OK)
    ctx.go_pins["pulumi_language_python"] = "v3.0.0-20260101000000-abcdef012345"
    toolchain_go.link_language_host_standin(ctx)
    assert not link.exists()
    link.write_text("a real host, built")
    ctx.go_pins["pulumi_language_python"] = ""
    toolchain_go.link_language_host_standin(ctx)
    assert link.read_text() == "a real host, built"


# --- Run ---------------------------------------------------------------------------------------


def test_run_passes_the_real_hosts_arguments_and_environment(
    served: Served, project: Path, tmp_path: Path
) -> None:
    answer = served[1].Run(run_request(project, "ok"))
    assert (answer.error, answer.bail) == ("", False)
    record = recorded(tmp_path)
    assert record["argv"] == [
        "--monitor", "127.0.0.1:5",
        "--engine", ENGINE,
        "--project", "proj",
        "--root_directory", str(project),
        "--stack", "dev",
        "--pwd", str(project / "ok"),
        "--dry_run", "true",
        "--parallel", "4",
        "--organization", "organization",
        ".", "extra",
    ]  # fmt: skip
    assert record["python"] == str(project / "venv" / "bin" / "python")
    assert record["env"] == {
        "PULUMI_CONFIG": '{"proj:a":"1","proj:b":"x"}',
        "PULUMI_CONFIG_SECRET_KEYS": '["proj:b"]',
        "VIRTUAL_ENV": str(project / "venv"),
        "PATH": f"{project / 'venv' / 'bin'}:{os.environ['PATH']}",
        "PYTHONHOME": None,
    }


def test_run_leaves_out_empty_flags_and_config(
    served: Served, project: Path, tmp_path: Path
) -> None:
    request = language_pb2.RunRequest(
        pwd=str(project / "ok"), info=info(project, "ok", virtualenv="venv")
    )
    assert served[1].Run(request).error == ""
    record = recorded(tmp_path)
    assert record["argv"] == [
        "--engine", ENGINE,
        "--root_directory", str(project),
        "--pwd", str(project / "ok"),
        "--dry_run", "false",
        "--parallel", "0",
        ".",
    ]  # fmt: skip
    assert record["env"]["PULUMI_CONFIG"] is None
    assert record["env"]["PULUMI_CONFIG_SECRET_KEYS"] == "[]"


def test_exit_32_is_a_bail_without_an_error(served: Served, project: Path) -> None:
    answer = served[1].Run(run_request(project, "bail"))
    assert (answer.error, answer.bail) == ("", True)


def test_another_exit_is_an_error_and_the_programs_stderr_reaches_the_engine(
    served: Served, project: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    answer = served[1].Run(run_request(project, "fails"))
    assert (answer.error, answer.bail) == ("program exited with non-zero exit code: 1", False)
    assert "boom: the program broke\n" in capfd.readouterr().err


def test_a_missing_virtualenv_fails_with_the_real_hosts_instructions(
    served: Served, project: Path
) -> None:
    with pytest.raises(grpc.RpcError) as failed:
        served[1].Run(run_request(project, "ok", virtualenv="missing"))
    assert failed.value.code() == grpc.StatusCode.UNKNOWN
    missing = project / "missing"
    assert failed.value.details() == (
        f'The \'virtualenv\' option in Pulumi.yaml is set to "missing", but "{missing}" '
        "doesn't exist; run the following commands to create the virtual environment and "
        "install dependencies into it:\n\n"
        f"    1. python3 -m venv {missing}\n"
        f"    2. {missing}/bin/python -m pip install --upgrade pip setuptools wheel\n"
        f"    3. {missing}/bin/python -m pip install -r requirements.txt\n\n\n"
        "For more information see: "
        "https://www.pulumi.com/docs/intro/languages/python/#virtual-environments"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"toolchain": "conda"}, "unsupported toolchain option: conda"),
        ({"virtualenv": 3}, "virtualenv option must be a string"),
        ({"toolchain": True}, "toolchain option must be a string"),
        ({"typechecker": "pytype"}, "unsupported typechecker option: pytype"),
        (
            {"toolchain": "poetry"},
            f"{LABEL}: the poetry toolchain is not implemented by this stand-in (only pip); "
            "set runtime.options.toolchain: pip in Pulumi.yaml",
        ),
        (
            {"typechecker": "mypy"},
            f"{LABEL}: the typechecker option (mypy) is not implemented by this stand-in; "
            "remove runtime.options.typechecker from Pulumi.yaml",
        ),
    ],
)
def test_a_bad_runtime_option_fails_naming_it(
    served: Served, project: Path, tmp_path: Path, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(grpc.RpcError) as failed:
        served[1].Run(run_request(project, "ok", **options))
    assert (failed.value.code(), failed.value.details()) == (grpc.StatusCode.UNKNOWN, message)
    assert not (tmp_path / "record.json").exists()


def test_a_uv_lock_selects_uv_which_the_stand_in_refuses(served: Served, project: Path) -> None:
    (project / "uv.lock").write_text("")
    request = run_request(project, "ok")
    request.info.options.Clear()
    with pytest.raises(grpc.RpcError) as failed:
        served[1].Run(request)
    assert "the uv toolchain is not implemented by this stand-in" in failed.value.details()


def test_cancel_interrupts_the_program_and_everything_it_started(
    served: Served, project: Path, tmp_path: Path
) -> None:
    running = served[1].Run.future(run_request(project, "hangs"))
    program, grandchild = pids(tmp_path)
    served[1].Cancel(empty_pb2.Empty())
    assert (
        running.result(timeout=WAIT_SECONDS).error == "program exited with non-zero exit code: -1"
    )
    wait_for(lambda: not alive(program) and not alive(grandchild), "the program group to stop")
    later = served[1].Run(run_request(project, "ok"))
    assert (
        later.error
        == "problem executing program (could not run language executor): context canceled"
    )


def test_a_cancelled_request_stops_its_program(
    served: Served, project: Path, tmp_path: Path
) -> None:
    running = served[1].Run.future(run_request(project, "hangs"))
    program, grandchild = pids(tmp_path)
    running.cancel()
    wait_for(lambda: not alive(program) and not alive(grandchild), "the program group to stop")


def test_stopping_the_host_stops_its_programs(
    served: Served, project: Path, tmp_path: Path
) -> None:
    running = served[1].Run.future(run_request(project, "hangs"))
    program, grandchild = pids(tmp_path)
    served[0].shutdown()
    assert not alive(program)
    assert running.result(timeout=WAIT_SECONDS).error == (
        "program exited with non-zero exit code: -1"
    )
    wait_for(lambda: not alive(grandchild), "the grandchild to stop")


# --- RunPlugin (policy packs) -------------------------------------------------------------------


def pack_request(pack: Path, kind: str = "analyzer") -> language_pb2.RunPluginRequest:
    return language_pb2.RunPluginRequest(
        pwd="/somewhere/else",
        args=["--logtostderr", ENGINE],
        env=["FROM_ENGINE=overridden"],
        kind=kind,
        info=language_pb2.ProgramInfo(
            root_directory=str(pack),
            program_directory=str(pack),
            entry_point=".",
            options=struct_pb2.Struct(
                fields={"virtualenv": struct_pb2.Value(string_value=sys.prefix)}
            ),
        ),
    )


def test_a_folder_without_pulumipolicy_yaml_is_not_run_as_a_pack(
    served: Served, tmp_path: Path
) -> None:
    with pytest.raises(grpc.RpcError) as failed:
        next(served[1].RunPlugin(pack_request(tmp_path)))
    assert (failed.value.code(), failed.value.details()) == (
        grpc.StatusCode.UNKNOWN,
        f"{LABEL}: {tmp_path} is not a policy pack: it has no PulumiPolicy.yaml",
    )


def test_plugins_other_than_policy_packs_are_refused_by_name(
    served: Served, tmp_path: Path
) -> None:
    with pytest.raises(grpc.RpcError) as failed:
        next(served[1].RunPlugin(pack_request(tmp_path, kind="resource")))
    assert failed.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert failed.value.details() == (
        f"{LABEL} runs only policy packs (plugin kind analyzer), not kind 'resource' ({tmp_path})"
    )


def test_a_pack_starts_after_configure_stack_with_the_stack_in_its_environment(
    served: Served, tmp_path: Path
) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text(PACK_MAIN)
    stream = served[1].RunPlugin(pack_request(pack))
    first = next(stream)
    proxy = grpc.insecure_channel(f"127.0.0.1:{int(first.stdout.decode().strip())}")
    analyzer = analyzer_pb2_grpc.AnalyzerStub(proxy)
    analyzer.Handshake(analyzer_pb2.AnalyzerHandshakeRequest(engine_address=ENGINE))
    assert not (tmp_path / "pids").exists()  # nothing starts before the stack is known
    analyzer.ConfigureStack(
        analyzer_pb2.AnalyzerStackConfigureRequest(
            project="proj", stack="dev", dry_run=True, config={"proj:a": "1"}
        )
    )
    seen = json.loads(analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=WAIT_SECONDS).description)
    assert seen == {
        "PULUMI_PROJECT": "proj",
        "PULUMI_STACK": "dev",
        "PULUMI_DRY_RUN": "true",
        "PULUMI_CONFIG": '{"proj:a":"1"}',
        "FROM_ENGINE": "overridden",
        "cwd": str(pack),
        "argv": ["--logtostderr", ENGINE, str(pack)],
    }
    output = b""
    errors = b""
    for message in stream:
        output += message.stdout
        errors += message.stderr
        if b"pack says hello" in output and b"configured stack dev" in errors:
            break
    (pid,) = pids(tmp_path)
    stream.cancel()
    wait_for(lambda: not alive(pid), "the pack to stop when the engine ends its request")
    proxy.close()


def test_a_pack_that_never_prints_a_port_fails_the_stream_and_its_analyzer_calls(
    served: Served, tmp_path: Path
) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text(
        "import sys\nprint('no module named rules', file=sys.stderr)\n"
    )
    stream = served[1].RunPlugin(pack_request(pack))
    port = int(next(stream).stdout.decode().strip())
    analyzer = analyzer_pb2_grpc.AnalyzerStub(grpc.insecure_channel(f"127.0.0.1:{port}"))
    with pytest.raises(grpc.RpcError) as info_failed:
        analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=WAIT_SECONDS)
    assert info_failed.value.details() == (
        "policy pack not started: could not read policy pack port: EOF"
    )
    errors: list[bytes] = []
    with pytest.raises(grpc.RpcError) as stream_failed:
        errors.extend(message.stderr for message in stream)
    assert stream_failed.value.details() == (
        "problem executing plugin program: could not attach policy pack proxy: "
        "could not read policy pack port: EOF"
    )
    assert b"".join(errors) == b"no module named rules\n"
