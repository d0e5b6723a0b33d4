"""The offline plan with the real OpenClaw releases and Mermaid's own parser (see conftest.py)."""
