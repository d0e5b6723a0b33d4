"""The section stage's identity: the `cron` section of openclaw.json, by two backends.

In cluster mode a dynamic resource owns the section in the live ConfigMap; in git mode another
owns it in the GitOps repository's ConfigMap manifest. Replace rules: each provider
(stages/section/cluster/provider.py, stages/section/git/provider.py) replaces when a property
that locates the section changes, and reads its tuple here. `*_NAME` is the `name=` each
dynamic resource class declares (stages/section/*/dynamic_resource.py).
"""

from stages.identity import component_type, dynamic_type

CLUSTER_NAME = "JsonSection"
CLUSTER_TYPE = dynamic_type(CLUSTER_NAME)
CLUSTER_REPLACE_ON = ("namespace", "configMap", "key", "section")
CLUSTER_COMPONENT_TYPE = component_type("CronConfigSection")

GIT_NAME = "GitJsonSection"
GIT_TYPE = dynamic_type(GIT_NAME)
GIT_REPLACE_ON = ("repo", "branch", "path", *CLUSTER_REPLACE_ON)
GIT_COMPONENT_TYPE = component_type("CronGitSection")

TYPES = (CLUSTER_TYPE, GIT_TYPE)
