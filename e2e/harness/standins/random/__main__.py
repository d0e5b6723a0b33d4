"""`bin/pulumi-resource-random` runs this: serve the random stand-in (see
`e2e.harness.standins.serve`)."""

from __future__ import annotations

import sys

from e2e.harness.standins.random.standin import RandomBytesStandin
from e2e.harness.standins.serve import serve

if __name__ == "__main__":
    sys.exit(serve(RandomBytesStandin, sys.argv[1:]))
