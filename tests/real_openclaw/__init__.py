"""Tests against the real, pinned OpenClaw (see conftest.py)."""
