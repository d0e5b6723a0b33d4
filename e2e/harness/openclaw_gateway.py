"""The pinned OpenClaw's gateway as a process of an isolated OpenClaw home (openclaw_home.py).

Why: the real gateway is the judge of what the stack writes, but it must not write anything of
its own outside the home's folder and must never outlive the test that started it. So it runs
in its own process group on a free loopback port, is stopped by that group's id, and the
one file OpenClaw puts in /tmp whatever TMPDIR says (its state locks) is removed on stop.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from e2e.harness.openclaw_home import OpenClawHome
from stages.section.document import set_section

LISTENING = "http server listening"
RELOAD_APPLIED = "config hot reload applied"
# OpenClaw's graceful stop waits on every channel: a pod's env configures Telegram, which
# cannot reach its API here, and stopping it took 30 s (5 s abort + 5 s stop + 5 s plugin
# retirement, then more). Nothing a test reads is written at shutdown, so after this grace the
# process group is killed.
STOP_GRACE_SECONDS = 3.0
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_TIMESTAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+[+-]\d\d:\d\d) ")


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Gateway:
    """`openclaw gateway run` on a free loopback port, with its own process group.

    The only thing added to the documents it is given is `logging.file` (inside the home
    folder): OpenClaw would otherwise write its rolling log to /tmp/openclaw.
    """

    def __init__(self, home: OpenClawHome, gateway_token: str) -> None:
        self.home = home
        self.gateway_token = gateway_token
        self.port = free_port()
        self.log_path = home.root / "gateway.out"
        self.process: subprocess.Popen[bytes] | None = None
        self.started_s: float | None = None

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError("the gateway is not running")
        return self.process.pid

    def harness_document(self, document: str) -> str:
        """`document` as the gateway gets it: plus `logging.file` in the home folder."""
        return set_section(
            document,
            "logging",
            {"file": str(self.home.root / "openclaw-file.log")},
            context="test gateway document",
        )

    def start(self, document: str, timeout: float = 180) -> float:
        """Writes the document and starts the gateway; returns seconds until it listened."""
        self.home.config_path.write_text(self.harness_document(document))
        env = dict(self.home.env, OPENCLAW_GATEWAY_TOKEN=self.gateway_token)
        started = time.monotonic()
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.home.install.command(
                    "gateway", "run", "--port", str(self.port), "--bind", "loopback"
                ),
                env=env,
                cwd=self.home.root,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self.wait_for(LISTENING, since=0, timeout=timeout, what="gateway start (~25 s)")
        except BaseException:
            self.stop()
            raise
        self.started_s = time.monotonic() - started
        return self.started_s

    def stop(self, timeout: float = STOP_GRACE_SECONDS) -> None:
        """SIGTERM to the process group (OpenClaw's spawn broker and children with it), then
        SIGKILL if it has not exited in time."""
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            # Anything left of the group (a child that ignored SIGTERM) goes too.
            os.killpg(process.pid, signal.SIGKILL)
        self._remove_state_locks()

    def _remove_state_locks(self) -> None:
        """OpenClaw keeps its state locks in /tmp/openclaw-state-locks-<uid> whatever TMPDIR
        says (hard-coded), named after a hash of the state database's path: remove ours, and
        the folder if no other OpenClaw has locks there."""
        database = (self.home.root / "state" / "state" / "openclaw.sqlite").resolve()
        digest = hashlib.sha256(str(database).encode()).hexdigest()[:8]
        folder = Path("/tmp") / f"openclaw-state-locks-{os.getuid()}"  # noqa: S108 (OpenClaw's path)
        for lock in folder.glob(f"*.{digest}.lock.sqlite"):
            lock.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            folder.rmdir()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return _ANSI.sub("", self.log_path.read_text(errors="replace"))

    def log_size(self) -> int:
        return len(self.log())

    def wait_for(self, text: str, *, since: int, timeout: float, what: str) -> str:
        """The first log line containing `text` after offset `since`; prints progress every
        10 s and fails with the log's tail if the gateway exits or time runs out."""
        started = time.monotonic()
        next_report = started + 10
        while True:
            log = self.log()
            for line in log[since:].splitlines():
                if text in line:
                    return line
            now = time.monotonic()
            if not self.alive():
                raise RuntimeError(f"{what}: the gateway exited; log tail:\n{log[-3000:]}")
            if now - started > timeout:
                raise TimeoutError(
                    f"{what}: no {text!r} within {timeout:.0f} s; log tail:\n{log[-3000:]}"
                )
            if now >= next_report:
                print(f"  ... {what}: {now - started:.0f} s", file=sys.stderr, flush=True)
                next_report = now + 10
            time.sleep(0.1)

    def rewrite(self, document: str, timeout: float = 30) -> float:
        """Replaces the running gateway's document (as the ConfigMap sidecar does) and returns
        the seconds from the write to OpenClaw's own "hot reload applied" log timestamp."""
        since = self.log_size()
        written_at = time.time()
        self.home.config_path.write_text(self.harness_document(document))
        line = self.wait_for(RELOAD_APPLIED, since=since, timeout=timeout, what="hot reload")
        return log_time(line) - written_at

    def document(self) -> str:
        """The document the gateway reads now, without the harness's `logging` member."""
        text = self.home.config_path.read_text()
        parsed = json.loads(text)
        parsed.pop("logging", None)
        return json.dumps(parsed)

    def cli(self, *args: str, timeout: float = 60) -> Any:
        """`openclaw ARGS` against this gateway; its JSON answer (fails on a non-zero exit)."""
        result = self.home.run(
            *args,
            "--port",
            str(self.port),
            "--token",
            self.gateway_token,
            "--json",
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"openclaw {' '.join(args)} exited {result.returncode}:\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return json.loads(result.stdout)

    def add_webhook_job(self, name: str, url: str) -> str:
        """A job whose payload is a shell command (no model needed) and whose result is
        POSTed to `url`; returns its id. Hourly, so it only runs when asked to."""
        job = self.cli(
            "cron", "add", "--name", name, "--every", "1h", "--command", "echo ok", "--webhook", url
        )
        job_id: str = job["id"]
        return job_id

    def run_job(self, job_id: str, timeout: float = 60) -> dict[str, Any]:
        """`openclaw cron run` now; then the run's history entry, once OpenClaw has recorded
        its delivery status (`delivered`, `not-delivered`, ...)."""
        run_id = self.cli("cron", "run", job_id)["runId"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for entry in self.cli("cron", "runs", job_id)["entries"]:
                if entry.get("runId") == run_id and entry.get("deliveryStatus"):
                    found: dict[str, Any] = entry
                    return found
            time.sleep(0.5)
        raise TimeoutError(f"run {run_id} of job {job_id} not recorded within {timeout} s")


def log_time(line: str) -> float:
    """The epoch seconds of a gateway log line's ISO timestamp."""
    match = _TIMESTAMP.match(line)
    if match is None:
        raise ValueError(f"no timestamp at the start of: {line}")
    return datetime.fromisoformat(match.group(1)).timestamp()


@contextlib.contextmanager
def running(home: OpenClawHome, gateway_token: str, document: str) -> Iterator[Gateway]:
    """A started gateway that is stopped, by process group, whatever happens."""
    gateway = Gateway(home, gateway_token)
    try:
        gateway.start(document)
        yield gateway
    finally:
        gateway.stop()
