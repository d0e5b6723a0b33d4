"""The token path, one package per stage, in the order the token travels.

token → parameter (SSM) → external_secret (ESO → Secret) → env_entry (the pod's env) → section
(openclaw.json). Each stage has the same shape: `identity` (its type strings and replace
rules), `resource` (what the program registers), and its own I/O; plan and verify walk
ORDER.
"""

ORDER = ("token", "parameter", "external_secret", "env_entry", "section")
