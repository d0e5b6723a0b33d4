"""The token stage's identity: pulumi-random's RandomBytes, 32 bytes, hex.

Replace rule (pulumi-random's schema): both inputs force a new value, i.e. a new token.
"""

from stages.identity import component_type

TYPE = "random:index/randomBytes:RandomBytes"
REPLACE_ON = ("keepers", "length")
COMPONENT_TYPE = component_type("WebhookToken")
