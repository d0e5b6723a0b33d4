"""The Phase 2 path, one ComponentResource per stage: token → SSM → ESO → env → openclaw.json."""
