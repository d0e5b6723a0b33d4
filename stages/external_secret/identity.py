"""The ExternalSecret stage's identity: External Secrets Operator's ExternalSecret, `v1`.

Why `v1`: ESO serves `external-secrets.io/v1` since v0.16 (the e2e's controller), and the stack
writes that one version. Replace rule (pulumi-kubernetes): a change of name or namespace is a
new object.
"""

from stages.identity import component_type

GROUP = "external-secrets.io"
VERSION = "v1"
API_VERSION = f"{GROUP}/{VERSION}"
KIND = "ExternalSecret"
PLURAL = "externalsecrets"
# The stores an ExternalSecret reads through (`spec.secretStoreRef.kind`), by their plurals.
STORE_PLURALS = {"ClusterSecretStore": "clustersecretstores", "SecretStore": "secretstores"}
TYPE = f"kubernetes:{API_VERSION}:{KIND}"
REPLACE_ON = ("metadata.name", "metadata.namespace")
COMPONENT_TYPE = component_type("TokenExternalSecret")
