"""The project's two example stacks, as tests name them.

`Pulumi.dev.yaml` is the reference deployment as it must run there (git mode, under Argo CD);
`examples/cluster-mode/Pulumi.dev.yaml` is the same `dev` stack for a cluster without a GitOps
controller (the section edited in the live ConfigMap). Most of the program's behaviour is the
same in both; the tests of the cluster-mode section, and of the plan on a live ConfigMap,
use the second. Both are named `dev`, so a plan of either says `"stack": "dev"`.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_STACK_FILE = ROOT / "Pulumi.dev.yaml"
CLUSTER_STACK_FILE = ROOT / "examples" / "cluster-mode" / "Pulumi.dev.yaml"
