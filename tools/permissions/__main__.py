"""`python -m tools.permissions` (what ./bin/permissions runs)."""

from tools.permissions.app import main

raise SystemExit(main())
