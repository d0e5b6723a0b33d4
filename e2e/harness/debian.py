"""The Debian package the e2e needs that no Go module provides: Argo CD's ``redis-server``.

``bin/e2e`` installs it once (``python -m e2e.harness.debian``) before pytest starts its
workers. It used to be installed by whichever worker first started Argo CD: on a fresh CI
machine the three workers found it missing at the same moment, ran ``apt-get`` at once, and
dpkg's lock refused two of them (CI of d7efd67: 20 setup errors). So the install also takes a
file lock, for anyone who runs pytest on e2e/ without bin/e2e, and tells apt-get to wait for
dpkg's lock rather than fail while another apt (unattended-upgrades, a build script) holds it.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import time

from openclaw_runtime.cache import cache_root

PACKAGE = "redis-server"
INSTALL_SECONDS = 30  # measured on a fresh machine: apt-get update and install
LOCK_WAIT_SECONDS = 600  # how long apt-get waits for another apt to release dpkg's lock
APT_ENV = {"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}


def redis_server() -> str:
    """The path of ``redis-server``, installed from Debian first when the machine lacks it."""
    found = shutil.which(PACKAGE)
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        raise RuntimeError(f"{PACKAGE} is missing and apt-get is not available to install it")
    lock_file = cache_root() / "apt.lock"
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be installing it right now
        found = shutil.which(PACKAGE)
        if found:
            return found
        print(
            f"installing {PACKAGE} from Debian (Argo CD's cache; ~{INSTALL_SECONDS} s, once)",
            flush=True,
        )
        began = time.monotonic()
        waits = ["-o", f"DPkg::Lock::Timeout={LOCK_WAIT_SECONDS}"]
        for argv in (
            [apt, *waits, "update", "-qq"],
            [apt, *waits, "install", "-y", "--no-install-recommends", PACKAGE],
        ):
            done = subprocess.run(argv, capture_output=True, text=True, check=False, env=APT_ENV)
            if done.returncode != 0:
                raise RuntimeError(f"`{' '.join(argv)}` failed:\n{done.stderr[-2000:].rstrip()}")
        found = shutil.which(PACKAGE)
        if not found:
            raise RuntimeError(f"apt-get installed {PACKAGE}, yet it is not on PATH")
    print(f"{PACKAGE} installed in {time.monotonic() - began:.0f} s")
    return found


def main() -> None:
    """bin/e2e's step: install when missing, else say once that it is there."""
    if shutil.which(PACKAGE):
        print(f"{PACKAGE}: present")
    else:
        redis_server()


if __name__ == "__main__":
    main()
