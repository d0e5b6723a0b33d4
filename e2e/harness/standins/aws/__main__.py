"""`bin/pulumi-resource-aws` runs this: serve the AWS stand-in (see
`e2e.harness.standins.serve`)."""

from __future__ import annotations

import sys

from e2e.harness.standins.aws.standin import SsmStandin
from e2e.harness.standins.serve import serve

if __name__ == "__main__":
    sys.exit(serve(SsmStandin, sys.argv[1:]))
