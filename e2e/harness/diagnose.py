"""What the control plane looked like when an e2e step failed, for the failure's report.

Why: a step that times out waiting for a rollout says only that it timed out, and the
control plane is gone when the run ends. This snapshot is taken while it still runs: which of
its processes have exited (with the end of their logs), the node's taints and Ready
condition, and the app's Deployment and pods as the scheduler and kwok left them.
"""

from __future__ import annotations

from typing import Any

from e2e.harness.control_plane import ControlPlane, get

NAMESPACE = "openclaw"
LOG_LINES = 15


def snapshot(plane: ControlPlane) -> str:
    """Text for a failed step's report; never raises (a broken plane is what it describes)."""
    lines = _processes(plane)
    try:
        with plane.api_client() as api:
            lines += _cluster(api)
    except Exception as error:  # the snapshot must not hide the step's own failure
        lines.append(f"cluster not readable: {type(error).__name__}: {error}")
    return "\n".join(lines)


def _processes(plane: ControlPlane) -> list[str]:
    gone = [proc for proc in plane.processes if not proc.alive()]
    if not gone:
        return [f"every control-plane process runs ({', '.join(plane.pids)})"]
    lines: list[str] = []
    for proc in gone:
        code = proc.popen.returncode if proc.popen is not None else "?"
        lines.append(f"{proc.name} (pid {proc.pid}) has EXITED ({code}); the end of {proc.log}:")
        tail = proc.log.read_text(errors="replace").splitlines()[-LOG_LINES:]
        lines += [f"    {line}" for line in tail]
    return lines


def _cluster(api: Any) -> list[str]:
    lines: list[str] = []
    for node in get(api, "/api/v1/nodes").get("items", []):
        ready = [c for c in node.get("status", {}).get("conditions", []) if c["type"] == "Ready"]
        lines.append(
            f"node {node['metadata']['name']}: taints {node.get('spec', {}).get('taints') or []}, "
            f"Ready {[(c.get('status'), c.get('reason')) for c in ready]}"
        )
    deployment = get(api, f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/openclaw")
    lines.append(
        f"deployment generation {deployment.get('metadata', {}).get('generation')}, "
        f"status {deployment.get('status')}"
    )
    for pod in get(api, f"/api/v1/namespaces/{NAMESPACE}/pods").get("items", []):
        meta, status = pod["metadata"], pod.get("status", {})
        conditions = [
            (c["type"], c["status"], c.get("reason")) for c in status.get("conditions", [])
        ]
        lines.append(
            f"pod {meta['name']}: phase {status.get('phase')}, node {pod['spec'].get('nodeName')}, "
            f"deleting {bool(meta.get('deletionTimestamp'))}, conditions {conditions}"
        )
    return lines
