"""Start the stand-in host as the engine starts a language plugin, and stop it with its children.

The engine runs `pulumi-language-python [--logtostderr] [-v=N] [--tracing URL] ENGINE_ADDRESS`
in the project folder, reads the port from the first stdout line, calls GetPluginInfo, and at
the end sends SIGINT to the host's process group (SIGKILL 5 s later). The real host also takes
`-version` and `-use-executor PATH`; `bin/pulumi-language-python` adds `--invoked-as $0`, so the
exec script can be found beside the launcher the engine chose, as the real host finds it beside
its own binary.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from concurrent import futures
from pathlib import Path
from types import FrameType

import grpc
from pulumi.runtime.proto import language_pb2_grpc

from e2e.harness.standins.language_host import EXEC_NAME, LABEL, standin_version
from e2e.harness.standins.language_host.host import LanguageHostStandin

REPO = Path(__file__).resolve().parents[4]
WORKERS = 16
PARENT_POLL_SECONDS = 1.0


class MissingExecutor(RuntimeError):
    """The exec script is nowhere the host looks; the message says where it looked."""


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    """Go `flag` style: `-x` and `--x`, `-v=9`; unknown flags ignored; the address is last."""
    parser = argparse.ArgumentParser(prog="pulumi-language-python", add_help=False)
    parser.add_argument("-version", "--version", action="store_true")
    parser.add_argument("-tracing", "--tracing", default="")
    parser.add_argument("-use-executor", "--use-executor", dest="executor", default="")
    parser.add_argument("-invoked-as", "--invoked-as", dest="invoked_as", default="")
    parser.add_argument("-logtostderr", "--logtostderr", action="store_true")
    parser.add_argument("-v", "--v", dest="verbose", default="0")
    parser.add_argument("positional", nargs="*")
    args, _unknown = parser.parse_known_args(list(argv))
    args.engine_address = args.positional[-1] if args.positional else ""
    return args


def find_executor(given: str, invoked_as: str, environ: Mapping[str, str]) -> str:
    """`-use-executor`, else beside the launcher as the engine invoked it (where the real host
    looks: beside itself), else beside the `pulumi` on PATH (the toolchain installs it there;
    the engine may have found this launcher in e2e/harness/standins/bin instead)."""
    if given:
        return given
    places = []
    if invoked_as:
        places.append(Path(invoked_as).parent)
    pulumi = shutil.which("pulumi", path=environ.get("PATH"))
    if pulumi:
        places.append(Path(pulumi).resolve().parent)
    for place in places:
        candidate = place / EXEC_NAME
        if candidate.is_file():
            return str(candidate)
    looked = ", ".join(str(place) for place in places) or "nowhere (no launcher path, no pulumi)"
    raise MissingExecutor(
        f"missing executor {EXEC_NAME}: looked in {looked}; the Go toolchain installs it beside "
        "pulumi (python -m e2e.harness.toolchain_go)"
    )


def restore_pythonpath(environ: dict[str, str]) -> None:
    """Undo launch.sh's `PYTHONPATH=<repo>:…`, so programs and packs see the engine's env
    (the project copy's modules, not the checkout's)."""
    entries = environ.get("PYTHONPATH", "").split(os.pathsep)
    if entries[0] == str(REPO):
        rest = os.pathsep.join(entries[1:])
        if rest:
            environ["PYTHONPATH"] = rest
        else:
            del environ["PYTHONPATH"]


def serve(argv: Sequence[str]) -> int:
    """Serve until SIGINT/SIGTERM or until the engine (our parent) is gone; then stop every
    child and the server."""
    args = parse_arguments(argv)
    if args.version:
        print(standin_version())
        return 0
    environ = dict(os.environ)
    restore_pythonpath(environ)
    try:
        executor = find_executor(args.executor, args.invoked_as, environ)
    except MissingExecutor as error:
        sys.stderr.write(f"{LABEL}: {error}\n")
        return 1
    host = LanguageHostStandin(executor, args.engine_address, args.tracing, environ)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=WORKERS))
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(host, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    stopped = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    threading.Thread(target=_watch_parent, args=(stopped,), daemon=True).start()
    print(port, flush=True)
    if args.logtostderr:
        host.log(f"{standin_version()} on port {port}, exec script {executor}")
    stopped.wait()
    host.shutdown()
    server.stop(grace=1).wait()
    return 0


def _watch_parent(stopped: threading.Event) -> None:
    """The real host health-checks the engine; a host whose engine died must not linger."""
    parent = os.getppid()
    while not stopped.wait(PARENT_POLL_SECONDS):
        if os.getppid() != parent:
            stopped.set()
