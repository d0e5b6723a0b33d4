"""The token stage's identity: pulumi-random's RandomBytes, 32 bytes, hex, behind the rotation
guard.

Replace rule (pulumi-random's schema): both inputs force a new value, i.e. a new token. The
guard (a dynamic resource, stages/token/rotation.py) never replaces: a new rotation updates it.
"""

from stages.identity import component_type, dynamic_type

TYPE = "random:index/randomBytes:RandomBytes"
REPLACE_ON = ("keepers", "length")
COMPONENT_TYPE = component_type("WebhookToken")
GUARD_NAME = "RotationGuard"
GUARD_TYPE = dynamic_type(GUARD_NAME)
