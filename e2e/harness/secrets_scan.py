"""The canary search (issue 30, item 1): a secret planted everywhere a user might put one, and
every place the product writes to searched for it after each operation, in both modes.

Why canaries, not a review of the code: a leak is a value where it should not be, and only
searching the places for a known value finds it whatever path it took (an error message that
quotes the environment, a child's argv, a read-back stored in the state). Each canary is
unique to the session, so a hit is never a coincidence.

Where the canaries go (what a user's shell holds while running the stack):
- `PULUMI_CONFIG_PASSPHRASE` (the throwaway state's passphrase is a canary), for every stack
  of the e2e, and every AWS secret access key (moto checks them: each identity's, made fresh
  each session by e2e.harness.identities, so as unique as a canary);
- the git credential, given the supported ways (docs/operations.md): a credential helper
  configured through `GIT_CONFIG_*` whose store file holds a token, and a token that is only in
  an environment variable (`GH_TOKEN`), which must not reach git;
- the kubeconfigs' user tokens: the control plane's real bearer tokens (the admin's and each
  role's);
- the webhook token itself (registered from each `up`'s outputs), whose plaintext may be only in
  the SSM parameter's value and the Secret's data, neither of which is a place searched here;
- a literal token pasted by hand into `cron.webhookToken` before a refresh (`LITERAL_TOKEN`).

The places: every Pulumi operation's stdout, stderr and engine events, every `pulumi` command
typed, each stack's state files, `pulumi stack export` and stack file at its removal, the
offline plan's output and folder, verify's output, the argv of every git and kubectl (a PATH
shim; with the product's git, also its environment), the command lines of every process
sampled while an operation runs, the GitOps repository's whole history, the Kubernetes objects
other than Secrets, and the control plane's logs.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client

_SUFFIX = secrets.token_hex(8)
PASSPHRASE = f"canary-passphrase-{_SUFFIX}"
GIT_TOKEN = f"canary-git-helper-token-{_SUFFIX}"
GH_TOKEN = f"canary-gh-env-token-{_SUFFIX}"
LITERAL_TOKEN = f"canary-literal-webhook-token-{_SUFFIX}"
SAMPLE_SECONDS = 0.25
GIT_LOG = "git log -p --all"
SHIM = """#!/bin/sh
# e2e canary search: record this command's argv (and, for the product's git, its environment).
name=$(basename "$0"); here=$(dirname "$0")
{ printf '%s argv:' "$name"; printf ' %s' "$@"; printf '\\n'
  if [ "$GIT_TERMINAL_PROMPT" = 0 ]; then env | sed "s/^/$name env: /"; fi; } >> "$here/argv.log"
PATH=$(printf %s "$PATH" | tr ':' '\\n' | grep -vxF "$here" | paste -sd: -)
exec "$name" "$@"
"""


@dataclass
class Recorder:
    """The places and the secrets of one session; `scan` says which secret is where."""

    places: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    # secret -> the places (by a part of their name) where it belongs, so is not a hit
    belongs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # mode ("cluster" | "git") -> the operations run and searched in it
    operations: dict[str, set[str]] = field(default_factory=dict)
    _commands: set[str] = field(default_factory=set)
    _watchers: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _home: Path | None = None

    def __post_init__(self) -> None:
        for name, value in {
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "git credential helper's token": GIT_TOKEN,
            "GH_TOKEN": GH_TOKEN,
        }.items():
            self.secret(name, value)
        # Where the person pasted it: the live ConfigMap, or Git (and from there, Argo CD
        # delivers it to the live ConfigMap).
        self.secret(
            "literal cron.webhookToken pasted by hand",
            LITERAL_TOKEN,
            belongs=(GIT_LOG, "Kubernetes configmaps"),
        )

    @property
    def home(self) -> Path:
        """This session's folder (made on first use: importing the harness makes nothing)."""
        if self._home is None:
            self._home = Path(tempfile.mkdtemp(prefix="e2e-canary-"))
        return self._home

    def secret(self, name: str, value: str, belongs: tuple[str, ...] = ()) -> None:
        self.secrets[name] = value
        self.belongs[name] = belongs

    def webhook_token(self, token: str) -> None:
        """The token's 64 hex characters; searched also as the base64 of its bytes
        (RandomBytes' `base64`) and of its text (a Secret's data)."""
        self.secret(f"webhook token {token[:6]}…", token)
        self.secret(f"webhook token {token[:6]}… (base64 of its bytes)", _b64(bytes.fromhex(token)))
        self.secret(f"webhook token {token[:6]}… (base64 of its text)", _b64(token.encode()))

    def add(self, place: str, text: str) -> None:
        with self._lock:
            name, n = place, 1
            while name in self.places:
                n += 1
                name = f"{place} #{n}"
            self.places[name] = text

    def ran(self, mode: str, operation: str) -> None:
        self.operations.setdefault(mode, set()).add(operation)

    def stack_env(self) -> dict[str, str]:
        """What a user's shell holds for the stack: git's credential helper (its store file
        holds the token), and a token only in the environment."""
        store = self.home / "git-credentials"
        store.write_text(f"https://x-access-token:{GIT_TOKEN}@github.com\n")
        store.chmod(0o600)
        return {
            "GH_TOKEN": GH_TOKEN,
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "credential.helper",
            "GIT_CONFIG_VALUE_0": f"store --file={store}",
        }

    def shim_dir(self) -> Path:
        """A folder to put first on PATH: `git` and `kubectl` that record, then run the real."""
        shims = self.home / "shims"
        if not shims.is_dir():
            shims.mkdir()
            for name in ("git", "kubectl"):
                (shims / name).write_text(SHIM)
                (shims / name).chmod(0o755)
        return shims

    @contextmanager
    def watching(self) -> Iterator[None]:
        """While an operation runs: the command lines of this process's descendants."""
        with self._lock:
            self._watchers += 1
            start = self._watchers == 1
        if start:
            threading.Thread(target=self._sample, daemon=True).start()
        try:
            yield
        finally:
            with self._lock:
                self._watchers -= 1

    def _sample(self) -> None:
        stop = threading.Event()
        while not stop.wait(SAMPLE_SECONDS):
            with self._lock:
                if self._watchers == 0:
                    return
            self._commands |= set(_descendant_command_lines(os.getpid()))

    def tool(
        self, mode: str, args: list[str], env: dict[str, str]
    ) -> subprocess.CompletedProcess[str]:
        """`./bin/plan` or `./bin/verify` (`python -m tools.<name> ARGS`) as the user runs it,
        from the checkout with the stack's environment; its output and, for the plan, its
        folder (`--out`) searched."""
        root = Path(__file__).resolve().parents[2]
        with self.watching():
            done = subprocess.run(
                [sys.executable, "-m", *args],
                cwd=root,
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        name = args[0].removeprefix("tools.")
        self.add(f"{mode} mode: {' '.join(args)}: stdout and stderr", done.stdout + done.stderr)
        if "--out" in args:
            out = Path(args[args.index("--out") + 1])
            self.capture_files(f"{mode} mode: the plan's folder", out)
        self.ran(mode, name)
        return done

    def capture_files(self, label: str, folder: Path, pattern: str = "*") -> None:
        for path in sorted(folder.rglob(pattern)):
            if path.is_file():
                self.add(f"{label}: {path.name}", path.read_text(errors="replace"))

    def capture_cluster(self, api: client.ApiClient, label: str) -> None:
        """Every ConfigMap, Deployment, ExternalSecret, Argo CD Application and event, as the
        API server returns them (Secrets are where the token belongs; they are not searched)."""
        core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
        custom = client.CustomObjectsApi(api)
        listed: dict[str, Any] = {
            "configmaps": core.list_config_map_for_all_namespaces(),
            "deployments": apps.list_deployment_for_all_namespaces(),
            "pods": core.list_pod_for_all_namespaces(),
            "events": core.list_event_for_all_namespaces(),
            "externalsecrets": custom.list_cluster_custom_object(
                "external-secrets.io", "v1", "externalsecrets"
            ),
            "applications": custom.list_cluster_custom_object(
                "argoproj.io", "v1alpha1", "applications"
            ),
        }
        for kind, answer in listed.items():
            self.add(f"{label}: Kubernetes {kind}", str(api.sanitize_for_serialization(answer)))

    def capture_repo(self, bare: Path, label: str) -> None:
        log = subprocess.run(
            [shutil.which("git") or "git", "-C", str(bare), "log", "-p", "--all"],
            capture_output=True,
            text=True,
            check=True,
        )
        self.add(f"{label}: {GIT_LOG}", log.stdout)

    def finish(self) -> None:
        """The places gathered on the way: the shims' log and the sampled command lines."""
        log = self.home / "shims" / "argv.log"
        if log.is_file():
            self.add("argv (and the product's git environment) of git and kubectl", log.read_text())
        self.add("command lines sampled while operations ran", "\n".join(sorted(self._commands)))

    def scan(self) -> list[tuple[str, str]]:
        """(place, secret) for each secret found in a place where it does not belong."""
        return [
            (place, name)
            for place, text in self.places.items()
            for name, value in self.secrets.items()
            if value in text and not any(part in place for part in self.belongs[name])
        ]


def _descendant_command_lines(root: int) -> list[str]:
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    family, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    lines = []
    for pid in family - {root}:
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        lines.append(raw.replace(b"\0", b" ").decode(errors="replace").strip())
    return lines


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def mode_of(stack_file: Path) -> str:
    """`git` when the stack file sets `section.target: git`, else `cluster`."""
    if not stack_file.is_file():
        return "cluster"
    config = (yaml.safe_load(stack_file.read_text()) or {}).get("config") or {}
    section = config.get("openclaw-cron-webhook:section") or {}
    return "git" if isinstance(section, dict) and section.get("target") == "git" else "cluster"


RECORDER = Recorder()
