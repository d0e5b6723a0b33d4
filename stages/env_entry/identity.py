"""The env entry stage's identity: one env entry of one container, a dynamic resource.

Replace rule: the provider (stages/env_entry/provider.py) replaces when a property
that names the entry changes, and updates in place otherwise; it reads this tuple.
"""

from stages.identity import component_type, dynamic_type

NAME = "EnvEntry"
TYPE = dynamic_type(NAME)
REPLACE_ON = ("namespace", "deployment", "container", "envName")
COMPONENT_TYPE = component_type("TokenEnvPatch")
