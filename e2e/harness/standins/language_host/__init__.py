"""A STAND-IN for `pulumi-language-python`, the Python language host of Pulumi v3.274.1.

Why it exists: the real host is a Go program in its own module
(`github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3`), which the Go module proxy
does not serve here (403), so the `pulumi` CLI built by e2e/harness/toolchain_go.py cannot run a
Python
project or a Python policy pack by itself. This stand-in serves the engine's LanguageRuntime
gRPC protocol for what the project needs, and does what the real host does in those calls, read
from its v3.274.1 source (sdk/python/cmd/pulumi-language-python/main.go, the pip toolchain in
sdk/python/toolchain, and sdk/policy_proxy.go):

- `Run` starts `<venv>/bin/python pulumi-language-python-exec --monitor … <entrypoint>` (the
  real exec script, from the sdk module) in the virtualenv Pulumi.yaml names, with
  `PULUMI_CONFIG`/`PULUMI_CONFIG_SECRET_KEYS`; exit code 32 means "bail" (the program already
  showed its error).
- `RunPlugin` for a policy pack (kind `analyzer`) starts `python -u -m pulumi.policy <args…>
  <packDir>` in the pack's folder behind an Analyzer proxy that waits for the engine's
  `ConfigureStack` and passes the stack as `PULUMI_PROJECT`/`PULUMI_STACK`/`PULUMI_CONFIG`…
- `GetPluginInfo`, `About`, `GetProgramDependencies`, empty `GetRequiredPlugins`/`Packages` (as
  the Automation API's inline host answers), `Cancel`.

What it does not do, and says so when asked: the `poetry`/`uv` toolchains, `typechecker`,
plugins other than policy packs, debugging, code generation, `InstallDependencies` (the engine
tolerates Unimplemented there; the project's .venv comes from ./bin/test).

It is honest only while named as one: its version is `<pulumi pin>-standin`, and every line it
writes on stderr starts with `LABEL`.

Layout: `options` (Pulumi.yaml runtime options → the Python to run, the real host's errors),
`children` (child processes in their own process groups, stopped by pid), `program` (Run),
`policy_proxy` (the Analyzer proxy of RunPlugin), `host` (the gRPC servicer), `server` (start,
print the port, stop), `__main__` (what `bin/pulumi-language-python` runs).
"""

from __future__ import annotations

from e2e.harness import pins

LABEL = "pulumi-language-python stand-in"
EXEC_NAME = "pulumi-language-python-exec"
# Exit code of the exec script after it showed the user an actionable error (main.go: "bail").
BAIL_EXIT_CODE = 32


def standin_version() -> str:
    """The engine's version with a `-standin` pre-release tag: valid semver, never mistaken."""
    return pins.load()["go"]["pulumi"].removeprefix("v") + "-standin"
