"""Every process the host starts, each in a process group of its own, stopped by pid.

Why groups of their own: the engine stops a language host by sending SIGINT to the host's
process group, then SIGKILL five seconds later. The real host's children share that group and
get the signal too; a Python program, though, may start processes of its own, and a pack's
server lingers after SIGINT if its main thread is busy. So the host puts each child in its own
group and stops the whole group itself, by the child's pid: on the engine's `Cancel`, when a
request ends early, and when the host is told to stop. Nothing is found by name.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from typing import IO

# The real host's `cmd.WaitDelay`: how long a program gets to stop after SIGINT.
INTERRUPT_GRACE_SECONDS = 5.0


class Children:
    """The live children of one host; thread-safe, because gRPC calls run on many threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: set[subprocess.Popen[bytes]] = set()

    def start(
        self,
        args: Sequence[str],
        env: Mapping[str, str],
        cwd: str | None = None,
        stdout: int | IO[bytes] | None = None,
        stderr: int | IO[bytes] | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start `args` in a new session (so a new process group whose id is its pid)."""
        process = subprocess.Popen(
            list(args),
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
        with self._lock:
            self._live.add(process)
        return process

    def wait(self, process: subprocess.Popen[bytes]) -> int:
        """Its exit code (negative: the signal that ended it), then forget it."""
        code = process.wait()
        self._forget(process)
        return code

    def interrupt(
        self, process: subprocess.Popen[bytes], grace: float = INTERRUPT_GRACE_SECONDS
    ) -> None:
        """SIGINT to its group, SIGKILL to the group if it is still running after `grace`."""
        if process.poll() is None:
            _signal_group(process, signal.SIGINT)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        self._forget(process)

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL to its group (how the real host ends a plugin whose request was cancelled)."""
        if process.poll() is None:
            _signal_group(process, signal.SIGKILL)
            process.wait()
        self._forget(process)

    def live(self) -> list[subprocess.Popen[bytes]]:
        with self._lock:
            return [process for process in self._live if process.poll() is None]

    def stop_all(self, grace: float = INTERRUPT_GRACE_SECONDS) -> None:
        """Interrupt every live child at once, then wait for each (at most `grace` overall)."""
        live = self.live()
        for process in live:
            _signal_group(process, signal.SIGINT)
        deadline = time.monotonic() + grace
        for process in live:
            self.interrupt(process, max(0.0, deadline - time.monotonic()))

    def _forget(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._live.discard(process)


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    """Signal the group the child leads; it may be gone already, which is what we wanted."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)
