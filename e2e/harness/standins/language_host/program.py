"""What `Run` starts and what its exit means, as the real host does it (main.go `Run`).

Why pure functions: the argument list, the environment and the mapping of an exit code to the
engine's answer are the whole contract between the engine and a Python program; the tests pin
each of them without starting anything.
"""

from __future__ import annotations

import json

from pulumi.runtime.proto import language_pb2

from e2e.harness.standins.language_host import BAIL_EXIT_CODE

# What the real host answers when it cannot even start the executor; after `Cancel` every Run
# fails this way, because its commands are bound to the cancelled context.
NOT_STARTED = "problem executing program (could not run language executor): {}"
CANCELLED = "context canceled"


def exec_arguments(
    request: language_pb2.RunRequest, engine_address: str, tracing: str
) -> list[str]:
    """main.go `constructArguments`: each flag only when its value is not empty, then the
    entry point, then the program's own arguments."""
    flags = (
        ("monitor", request.monitor_address),
        ("engine", engine_address),
        ("project", request.project),
        ("root_directory", request.info.root_directory),
        ("stack", request.stack),
        ("pwd", request.pwd),
        ("dry_run", "true" if request.dryRun else "false"),
        ("parallel", str(request.parallel)),
        ("tracing", tracing),
        ("organization", request.organization),
    )
    args = [item for key, value in flags if value for item in (f"--{key}", value)]
    return [*args, request.info.entry_point, *request.args]


def config_environment(request: language_pb2.RunRequest) -> dict[str, str]:
    """`PULUMI_CONFIG` (only when there is config) and `PULUMI_CONFIG_SECRET_KEYS` (always;
    `[]` when none), JSON as Go marshals them: keys sorted, no spaces."""
    env = {}
    if request.config:
        env["PULUMI_CONFIG"] = go_json(dict(request.config))
    env["PULUMI_CONFIG_SECRET_KEYS"] = go_json(list(request.configSecretKeys))
    return env


def outcome(exit_code: int) -> language_pb2.RunResponse:
    """0 is success; 32 is "bail" (the program showed its error; the engine adds none);
    anything else is an error. A signal reads as -1, Go's `ExitStatus()` of a killed process.
    The program's own stderr has already reached the engine, which shows it."""
    if exit_code == 0:
        return language_pb2.RunResponse()
    if exit_code == BAIL_EXIT_CODE:
        return language_pb2.RunResponse(bail=True)
    shown = exit_code if exit_code > 0 else -1
    return language_pb2.RunResponse(error=f"program exited with non-zero exit code: {shown}")


def go_json(value: object) -> str:
    """JSON as Go's json.Marshal writes a map or list: keys sorted, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
