"""The ExternalSecret stage's RBAC: the ExternalSecret, its store, its Secret, ESO's events.

Evidence, call by call (pulumi-kubernetes 4.x, `provider/pkg/await/await.go`, with Server-Side
Apply, its default since 4.0):
- `get` (every role): refresh's Read and an update's first step are a GET of the object; verify
  reads it (`stages.kube_reader`), and create's diagnosis (`stages.external_secret.diagnosis`)
  too. A preview's create or update is a server-side dry run (PATCH, dryRun=All); refused as
  Forbidden to the preview identity, the provider previews client-side instead, so preview
  needs no write.
- `create`, `patch` (deployer): create and update are an apply PATCH; the API server also
  authorises `create` on a PATCH that creates the object. `delete`: destroy, and each rotation
  deletes the previous rotation's object.
- `list`, `watch` (deployer): the wait for `pulumi.com/waitFor` and the wait after a delete
  run an informer over the namespace's ExternalSecrets (`condition.NewDynamicSource` with
  `Factories.ForNamespace`), which RBAC cannot narrow to one name.
- The store, `get` (deployer, verify): the diagnosis of a failed wait and verify's store hop
  read its Ready condition. A ClusterSecretStore is cluster-scoped: a ClusterRole's rule.
- `events`, `list` (deployer): the diagnosis lists ESO's events about the object (best
  effort: without it the error says the events were unreadable).
- The Secret, `get` (verify only): verify hashes the synced value; nothing in `pulumi up` or
  preview reads a Secret.

Names: the ExternalSecret and the Secret carry the rotation (`-r<n>`), and a rotation's `up`
creates the new one and deletes the old one, so the deployer's and preview's rules name no
object (a rule naming both the old and the next rotation cannot be written before the
rotation is chosen). verify checks the current rotation only, by name.
"""

from __future__ import annotations

from stages.external_secret.identity import GROUP, PLURAL, STORE_PLURALS
from stages.permissions import Role, Rule, Scope, kube


def rules(scope: Scope, role: Role) -> list[Rule]:
    s = scope.settings
    ns, store = s.namespace, s.external_secret
    store_namespace = ns if store.store_kind == "SecretStore" else None
    read_store = kube(
        GROUP, STORE_PLURALS[store.store_kind], ["get"], store_namespace, store.store_name
    )
    if role == "preview":
        return [kube(GROUP, PLURAL, ["get"], ns)]
    if role == "deployer":
        verbs = ["get", "list", "watch", "create", "patch", "delete"]
        return [kube(GROUP, PLURAL, verbs, ns), read_store, kube("", "events", ["list"], ns)]
    return [
        kube("", "secrets", ["get"], ns, s.secret_name),
        kube(GROUP, PLURAL, ["get"], ns, s.external_secret_name),
        read_store,
    ]
