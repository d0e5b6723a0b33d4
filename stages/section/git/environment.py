"""What every git child process of the stack gets: an allow-listed environment, and no hooks.

Why an allow-list: the dynamic provider runs inside `pulumi up`, whose environment holds
credentials git has no use for: the Pulumi access token, AWS keys, PULUMI_CONFIG_PASSPHRASE, a
kubeconfig's path. Everything git starts (ssh, a credential helper, a proxy command, a hook)
would inherit them. So git gets only what reaching the repository with the user's own setup
needs, each for a reason:

- `PATH`, `HOME`, `XDG_CONFIG_HOME`, `TMPDIR`: finding git's helpers and ssh, the user's git
  config (`~/.gitconfig`, `$XDG_CONFIG_HOME/git/config`: credential helpers, `insteadOf`), ssh's
  keys and known hosts, and a place for temporary files;
- `GIT_CONFIG_*` (`GLOBAL`, `SYSTEM`, `NOSYSTEM`, `COUNT`, `KEY_<n>`, `VALUE_<n>`): git config
  given through the environment, which is the user's git setup too;
- `SSH_AUTH_SOCK`, `GIT_SSH_COMMAND`, `GIT_SSH`, `GIT_SSH_VARIANT`: the ssh agent holding the
  deploy key, and the user's choice of ssh;
- `DBUS_SESSION_BUS_ADDRESS`, `XDG_RUNTIME_DIR`: the desktop keyring a credential helper such
  as git-credential-libsecret asks;
- the proxy variables (`http_proxy`, `https_proxy`, `all_proxy`, `no_proxy`, either case) and
  the CA bundles (`GIT_SSL_CAINFO`, `GIT_SSL_CAPATH`, `SSL_CERT_FILE`, `SSL_CERT_DIR`): the
  network path to the repository.

Set here: `GIT_TERMINAL_PROMPT=0` and, unless the user configured ssh for git, ssh in batch mode
(a missing credential fails at once instead of waiting on a prompt nobody sees), and
`LC_ALL=C` (git's messages are parsed in English). Variables that point git at another
repository (`GIT_DIR`, `GIT_INDEX_FILE`, ..., inherited from a hook running the tests, say) are
not on the list, so they cannot redirect a command away from the temporary clone.

Why no hooks: the clone is the stack's own, but a global `core.hooksPath` (a team's pre-push
hook, a reference-transaction hook) would still run on it, with whatever it does.
`NO_HOOKS` goes first on every command line, and a command-line `-c` wins over every config
file and `GIT_CONFIG_*`.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Mapping

NO_HOOKS = ("-c", "core.hooksPath=/dev/null")
PASSED = frozenset(
    {
        "PATH",
        "HOME",
        "XDG_CONFIG_HOME",
        "TMPDIR",
        "GIT_CONFIG_GLOBAL",
        "GIT_CONFIG_SYSTEM",
        "GIT_CONFIG_NOSYSTEM",
        "GIT_CONFIG_COUNT",
        "SSH_AUTH_SOCK",
        "GIT_SSH_COMMAND",
        "GIT_SSH",
        "GIT_SSH_VARIANT",
        "DBUS_SESSION_BUS_ADDRESS",
        "XDG_RUNTIME_DIR",
        *(f"{name}_proxy" for name in ("http", "https", "all", "no")),
        *(f"{name}_PROXY" for name in ("HTTP", "HTTPS", "ALL", "NO")),
        "GIT_SSL_CAINFO",
        "GIT_SSL_CAPATH",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
    }
)
PASSED_PREFIXES = ("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_")


def git_environment(git: str, inherited: Mapping[str, str]) -> dict[str, str]:
    """The environment for every git command: the allowed part of `inherited`, and our own."""
    env = {
        name: value
        for name, value in inherited.items()
        if name in PASSED or name.startswith(PASSED_PREFIXES)
    }
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["LC_ALL"] = "C"
    if not env.get("GIT_SSH_COMMAND") and not env.get("GIT_SSH"):
        configured = subprocess.run(
            [git, *NO_HOOKS, "config", "--get", "core.sshCommand"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            cwd=tempfile.gettempdir(),
        )
        if not configured.stdout.strip():
            # No passphrase or host-key prompt: an agent or a known host, or a clear failure.
            env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
    return env
