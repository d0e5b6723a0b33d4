"""`python -m tools.verify` (what ./bin/verify runs)."""

import os

from tools.verify.app import main

os.environ.setdefault("PULUMI_SKIP_UPDATE_CHECK", "true")
raise SystemExit(main())
