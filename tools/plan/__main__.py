"""`python -m tools.plan` (what ./bin/plan runs)."""

from tools.plan.app import main

raise SystemExit(main())
