"""Argo CD's redis-server is installed once, however many e2e workers ask at the same moment.

On CI of d7efd67 three workers found it missing, ran apt-get at once, and dpkg's lock refused
two (20 setup errors). Here a fake apt-get (a script that logs its argv, takes a moment, and
puts a redis-server on PATH) stands in for Debian's; the real one runs in bin/e2e.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[2]
FAKE_APT = """#!/bin/sh
echo "$*" >> "{log}"
sleep 0.5
case "$*" in *" install "*) {install} ;; esac
"""
PLACE_REDIS = 'printf "#!/bin/sh\\n" > "{bin}/redis-server"; chmod +x "{bin}/redis-server"'


def fake_apt(bin_dir: Path, log: Path, install: str) -> None:
    apt = bin_dir / "apt-get"
    apt.write_text(FAKE_APT.format(log=log, install=install))
    apt.chmod(0o755)


def install(bin_dir: Path) -> subprocess.Popen[str]:
    """`python -m e2e.harness.debian` with PATH holding only the fake apt-get (and what it puts
    there): a redis-server the machine has in /usr/bin must not count. The fake's own tools
    come from the PATH the harness gives apt-get."""
    env = {
        **os.environ,
        "PATH": str(bin_dir),
        "OPENCLAW_CRON_WEBHOOK_CACHE": str(bin_dir),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "e2e.harness.debian"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_three_workers_at_once_run_apt_get_once_and_all_find_redis(tmp_path: Path) -> None:
    log = tmp_path / "apt.log"
    fake_apt(tmp_path, log, PLACE_REDIS.format(bin=tmp_path))
    workers = [install(tmp_path) for _ in range(3)]
    outcomes = [(worker.wait(timeout=60), *worker.communicate()) for worker in workers]
    assert [code for code, _, _ in outcomes] == [0, 0, 0], outcomes
    assert log.read_text().splitlines() == [
        "-o DPkg::Lock::Timeout=600 update -qq",
        "-o DPkg::Lock::Timeout=600 install -y --no-install-recommends redis-server",
    ]
    installing = [out for _, out, _ in outcomes if "installing redis-server" in out]
    assert len(installing) == 1, outcomes
    assert installing[0].splitlines()[0] == (
        "installing redis-server from Debian (Argo CD's cache; ~30 s, once)"
    )
    assert (tmp_path / "redis-server").exists()


def test_a_present_redis_server_installs_nothing_and_says_so(tmp_path: Path) -> None:
    log = tmp_path / "apt.log"
    fake_apt(tmp_path, log, "true")
    (tmp_path / "redis-server").write_text("#!/bin/sh\n")
    (tmp_path / "redis-server").chmod(0o755)
    worker = install(tmp_path)
    out, err = worker.communicate(timeout=60)
    assert (worker.returncode, out, err) == (0, "redis-server: present\n", "")
    assert not log.exists()


def test_a_failing_apt_get_names_its_command_and_what_it_said(tmp_path: Path) -> None:
    apt = tmp_path / "apt-get"
    apt.write_text("#!/bin/sh\necho 'E: Unable to locate package redis-server' >&2\nexit 100\n")
    apt.chmod(0o755)
    worker = install(tmp_path)
    _, err = worker.communicate(timeout=60)
    assert worker.returncode == 1
    assert err.splitlines()[-2:] == [
        f"RuntimeError: `{apt} -o DPkg::Lock::Timeout=600 update -qq` failed:",
        "E: Unable to locate package redis-server",
    ]
