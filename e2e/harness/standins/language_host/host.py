"""The LanguageRuntime gRPC service the engine talks to: the stand-in's answers, call by call.

Why errors are plain UNKNOWN with the real host's message: the Go host returns Go errors, which
reach the engine as UNKNOWN with the text, and the engine prints them as they are. Calls this
stand-in does not serve answer UNIMPLEMENTED naming it; the engine tolerates that for every call
a preview, up, refresh or destroy makes, except GetPluginInfo, Run and (with a policy pack)
RunPlugin, which are served.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn

import grpc
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2, language_pb2, language_pb2_grpc, plugin_pb2

from e2e.harness.standins.language_host import LABEL, standin_version
from e2e.harness.standins.language_host.children import Children
from e2e.harness.standins.language_host.options import (
    Interpreter,
    OptionError,
    parse_options,
    resolve,
)
from e2e.harness.standins.language_host.policy_proxy import AttachError, PolicyProxy
from e2e.harness.standins.language_host.program import (
    CANCELLED,
    NOT_STARTED,
    config_environment,
    exec_arguments,
    go_json,
    outcome,
)

ANALYZER = "analyzer"
POLICY_PACK_FILE = "PulumiPolicy.yaml"
CHUNK = 65536


class LanguageHostStandin(language_pb2_grpc.LanguageRuntimeServicer):
    """One host process's servicer: the exec script it runs programs with, the engine's address
    (and tracing endpoint) it passes them, and the children it must stop."""

    def __init__(
        self,
        executor: str,
        engine_address: str,
        tracing: str = "",
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.executor = executor
        self.engine_address = engine_address
        self.tracing = tracing
        self.environ = dict(os.environ if environ is None else environ)
        self._programs = Children()  # what `Cancel` interrupts
        self._packs = Children()
        self._cancelled = threading.Event()

    def log(self, message: str) -> None:
        """One line on stderr, which the engine shows under the command's output."""
        sys.stderr.write(f"{LABEL}: {message}\n")
        sys.stderr.flush()

    # --- served ---------------------------------------------------------------------------

    def GetPluginInfo(self, request: empty_pb2.Empty, context: Any) -> plugin_pb2.PluginInfo:
        return plugin_pb2.PluginInfo(version=standin_version())

    def GetRequiredPlugins(
        self, request: language_pb2.GetRequiredPluginsRequest, context: Any
    ) -> language_pb2.GetRequiredPluginsResponse:
        """None, as the Automation API's inline host answers: the engine loads each provider
        when the program first registers a resource of its package."""
        return language_pb2.GetRequiredPluginsResponse()

    def GetRequiredPackages(
        self, request: language_pb2.GetRequiredPackagesRequest, context: Any
    ) -> language_pb2.GetRequiredPackagesResponse:
        return language_pb2.GetRequiredPackagesResponse()

    def Run(self, request: language_pb2.RunRequest, context: Any) -> language_pb2.RunResponse:
        if not self.engine_address:
            _abort(context, "when debugging or running explicitly, must call Handshake before Run")
        python = self._interpreter(request.info, context, is_plugin=False)
        args = [
            python.python,
            self.executor,
            *exec_arguments(request, self.engine_address, self.tracing),
        ]
        env = python.environment(self.environ) | config_environment(request)
        if self._cancelled.is_set():
            return language_pb2.RunResponse(error=NOT_STARTED.format(CANCELLED))
        self.log(f"running {request.info.program_directory} with {python.python}")
        try:
            process = self._programs.start(args, env)
        except OSError as error:
            return language_pb2.RunResponse(error=NOT_STARTED.format(error))
        context.add_callback(lambda: self._in_background(self._programs.interrupt, process))
        return outcome(self._programs.wait(process))

    def Cancel(self, request: empty_pb2.Empty, context: Any) -> empty_pb2.Empty:
        """As the real host: every running program gets SIGINT (SIGKILL 5 s later), and no
        program starts after this. Policy packs are not affected; the engine ends them."""
        self._cancelled.set()
        self._in_background(self._programs.stop_all)
        return empty_pb2.Empty()

    def RunPlugin(
        self, request: language_pb2.RunPluginRequest, context: Any
    ) -> Iterator[language_pb2.RunPluginResponse]:
        """A policy pack behind the Analyzer proxy; its output streamed back as it comes."""
        if request.kind != ANALYZER:
            _abort(
                context,
                f"{LABEL} runs only policy packs (plugin kind {ANALYZER}), not kind "
                f"{request.kind!r} ({request.info.program_directory})",
                grpc.StatusCode.UNIMPLEMENTED,
            )
        pack = request.info.program_directory
        if not (Path(pack) / POLICY_PACK_FILE).is_file():
            _abort(context, f"{LABEL}: {pack} is not a policy pack: it has no {POLICY_PACK_FILE}")
        python = self._interpreter(request.info, context, is_plugin=False)
        args = [python.python, "-u", "-m", "pulumi.policy", *request.args, pack]
        proxy = PolicyProxy()
        events: queue.Queue[tuple[str, Any]] = queue.Queue()
        started: list[subprocess.Popen[bytes]] = []

        def ended() -> None:
            proxy.close()
            for process in started:
                self._in_background(self._packs.kill, process)
            events.put(("ended", None))

        context.add_callback(ended)
        try:
            yield _stdout(f"{proxy.port}\n".encode())
            came, config = proxy.await_configuration(context.is_active)
            if not came:
                return
            env = python.environment(self.environ) | _policy_environment(config)
            env |= dict(item.split("=", 1) for item in request.env if "=" in item)
            self.log(f"starting policy pack {pack} with {python.python} -u -m pulumi.policy")
            try:
                process = self._packs.start(
                    args, env, cwd=pack, stdout=subprocess.PIPE, stderr=subprocess.PIPE
                )
            except OSError as error:
                _abort(context, f"problem executing plugin program: {error}")
            started.append(process)
            self._in_background(_pump_pack, proxy, process, events, self._packs)
            yield from _stream(events, context)
        finally:
            proxy.close()

    def About(self, request: language_pb2.AboutRequest, context: Any) -> language_pb2.AboutResponse:
        python = self._interpreter(request.info, context, is_plugin=False)
        script = "import platform, sys; print(sys.executable); print(platform.python_version())"
        out = self._ask(python, ["-c", script], context).splitlines()
        return language_pb2.AboutResponse(
            executable=out[0],
            version=out[1],
            metadata={"toolchain": "pip", "typechecker": "None", "languageHost": LABEL},
        )

    def GetProgramDependencies(
        self, request: language_pb2.GetProgramDependenciesRequest, context: Any
    ) -> language_pb2.GetProgramDependenciesResponse:
        """pip.go `ListPackages`: `pip list --format json`, `--not-required` unless transitive."""
        python = self._interpreter(request.info, context, is_plugin=False)
        args = ["-m", "pip", "list", "--format", "json"]
        if not request.transitiveDependencies:
            args.append("--not-required")
        listed = json.loads(self._ask(python, args, context))
        return language_pb2.GetProgramDependenciesResponse(
            dependencies=[
                language_pb2.DependencyInfo(name=item["name"], version=item["version"])
                for item in listed
            ]
        )

    def InstallDependencies(
        self, request: language_pb2.InstallDependenciesRequest, context: Any
    ) -> NoReturn:
        _abort(
            context,
            f"{LABEL} does not install dependencies (./bin/test creates the project's .venv)",
            grpc.StatusCode.UNIMPLEMENTED,
        )

    # --- helpers --------------------------------------------------------------------------

    def _interpreter(self, info: Any, context: Any, *, is_plugin: bool) -> Interpreter:
        """The Python for this program or pack, or the call aborted with the real message."""
        options = json_format.MessageToDict(info.options) if info.HasField("options") else {}
        try:
            parsed = parse_options(
                info.root_directory, info.program_directory, options, is_plugin=is_plugin
            )
            python = resolve(parsed, self.environ)
            python.validate()
        except OptionError as error:
            _abort(context, str(error))
        return python

    def _ask(self, python: Interpreter, args: list[str], context: Any) -> str:
        done = subprocess.run(
            [python.python, *args],
            env=python.environment(self.environ),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0:
            _abort(context, f"calling `{' '.join(done.args)}`: {done.stderr.strip()}")
        return done.stdout

    def _in_background(self, work: Any, *args: Any) -> None:
        """gRPC callbacks must not block (a stop may wait seconds for a child)."""
        threading.Thread(target=work, args=args, daemon=True).start()

    def shutdown(self) -> None:
        """The host is stopping: no child may outlive it."""
        self._cancelled.set()
        threads = [
            threading.Thread(target=self._programs.stop_all),
            threading.Thread(target=self._packs.stop_all),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def _policy_environment(
    config: analyzer_pb2.AnalyzerStackConfigureRequest | None,
) -> dict[str, str]:
    """What the real host adds for a configured stack, each only when not empty."""
    if config is None:
        return {}
    env = {
        "PULUMI_ORGANIZATION": config.organization,
        "PULUMI_PROJECT": config.project,
        "PULUMI_STACK": config.stack,
        "PULUMI_DRY_RUN": "true" if config.dry_run else "false",
        "PULUMI_CONFIG": go_json(dict(config.config)) if config.config else "",
    }
    return {key: value for key, value in env.items() if value}


def _pump_pack(
    proxy: PolicyProxy,
    process: subprocess.Popen[bytes],
    events: queue.Queue[tuple[str, Any]],
    children: Children,
) -> None:
    """Attach the proxy to the pack, then relay its output; last, its exit code."""
    assert process.stdout is not None
    assert process.stderr is not None
    errors = threading.Thread(target=_copy, args=(process.stderr, "stderr", events), daemon=True)
    errors.start()
    try:
        proxy.attach(process.stdout)
    except AttachError as error:
        children.kill(process)
        errors.join()
        events.put(("failed", f"could not attach policy pack proxy: {error}"))
        return
    _copy(process.stdout, "stdout", events)
    errors.join()
    events.put(("exit", children.wait(process)))


def _copy(stream: Any, name: str, events: queue.Queue[tuple[str, Any]]) -> None:
    while chunk := stream.read1(CHUNK):
        events.put((name, chunk))


def _stream(
    events: queue.Queue[tuple[str, Any]], context: Any
) -> Iterator[language_pb2.RunPluginResponse]:
    """Output as it comes; an exit code only when not 0 (a clean exit just ends the stream)."""
    while True:
        kind, value = events.get()
        if kind == "stdout":
            yield _stdout(value)
        elif kind == "stderr":
            yield language_pb2.RunPluginResponse(stderr=value)
        elif kind == "exit":
            if value != 0:
                yield language_pb2.RunPluginResponse(exitcode=value if value > 0 else -1)
            return
        elif kind == "failed":
            _abort(context, f"problem executing plugin program: {value}")
        else:
            return


def _stdout(data: bytes) -> language_pb2.RunPluginResponse:
    return language_pb2.RunPluginResponse(stdout=data)


def _abort(context: Any, message: str, code: grpc.StatusCode = grpc.StatusCode.UNKNOWN) -> NoReturn:
    context.abort(code, message)
    raise AssertionError("context.abort returned")  # pragma: no cover - abort always raises
