"""`bin/pulumi-language-python` runs this: serve the language-host stand-in (see `server`)."""

from __future__ import annotations

import sys

from e2e.harness.standins.language_host.server import serve

if __name__ == "__main__":
    sys.exit(serve(sys.argv[1:]))
