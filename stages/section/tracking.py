"""Whether a GitOps controller tracks the ConfigMap, and what to tell the user when it does.

Why it matters: a controller with self-heal (the reference cluster's Argo CD) owns
`data["openclaw.json"]` as one string from Git, so an in-cluster edit of the `cron` section is a
diff it reverts within seconds — `pulumi up` would succeed and the section would silently vanish.
So the cluster-target section refuses to write into a tracked ConfigMap unless the user chose
that explicitly (`section.writeTrackedConfigMap`, together with the Argo CD stanza below that
makes the edit stick), and points to the Git route (`section.target: git`) first.
"""

from __future__ import annotations

from collections.abc import Mapping

import yaml

from stack.config_issues import set_command

PROJECT = "openclaw-cron-webhook"
# Argo CD 3.x tracks by annotation by default (`<app>:<group>/<kind>:<namespace>/<name>`),
# older setups by the instance label; Flux's kustomize and helm controllers label what they own.
ARGOCD_ANNOTATION = "argocd.argoproj.io/tracking-id"
ARGOCD_LABEL = "app.kubernetes.io/instance"
FLUX_LABELS = ("kustomize.toolkit.fluxcd.io/name", "helm.toolkit.fluxcd.io/name")


def tracked_by(annotations: Mapping[str, str] | None, labels: Mapping[str, str] | None) -> str:
    """Which controller tracks the object, in words ("" when none does)."""
    annotations, labels = annotations or {}, labels or {}
    if ARGOCD_ANNOTATION in annotations:
        app = annotations[ARGOCD_ANNOTATION].split(":", 1)[0]
        return f"Argo CD Application {app} (annotation {ARGOCD_ANNOTATION})"
    if ARGOCD_LABEL in labels:
        return f"Argo CD Application {labels[ARGOCD_LABEL]} (label {ARGOCD_LABEL})"
    for label in FLUX_LABELS:
        if label in labels:
            return f"Flux {label.split('.', 1)[0]} {labels[label]} (label {label})"
    return ""


def ignore_differences_stanza(namespace: str, name: str, key: str) -> str:
    """The Application fields that let the stack's edit stick: the field is ignored by the diff
    (no OutOfSync, no self-heal) and by syncs (RespectIgnoreDifferences)."""
    stanza = {
        "spec": {
            "ignoreDifferences": [
                {
                    "kind": "ConfigMap",
                    "name": name,
                    "namespace": namespace,
                    "jsonPointers": [f"/data/{key}"],
                }
            ],
            "syncPolicy": {"syncOptions": ["RespectIgnoreDifferences=true"]},
        }
    }
    return yaml.safe_dump(stanza, sort_keys=False)


def refusal(namespace: str, name: str, key: str, controller: str) -> str:
    """Why the section is not written, and the two ways forward, each a command."""
    stanza = ignore_differences_stanza(namespace, name, key)
    return (
        f"ConfigMap {namespace}/{name} is tracked by a GitOps controller: {controller}. With "
        f"self-heal it reverts an in-cluster edit of {key} within seconds, so this stack does "
        "not write the cron section there.\n"
        "Recommended: send the section through the GitOps repository:\n"
        f"  {set_command(('section', 'target'), 'git')}\n"
        f"  {set_command(('section', 'git', 'repo'), '<the repo URL the controller syncs>')}\n"
        f"  {set_command(('section', 'git', 'path'), '<the ConfigMap manifest in it>')}\n"
        "Or let this stack win on that field (every later Git edit of the document then stops "
        "landing): add to the Application\n"
        + "".join(f"    {line}\n" for line in stanza.splitlines())
        + f"  and run: {set_command(('section', 'writeTrackedConfigMap'), 'true')}"
    )
