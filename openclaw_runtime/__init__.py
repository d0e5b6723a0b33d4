"""The real OpenClaw as a product dependency: its pins, its cache and its installer.

The offline plan (the product's main command) asks the real OpenClaw to judge what the stack
writes, and the test harness runs the same install; so this lives beside `components/` and
`tools/`, and `e2e/` imports it, never the other way round.
"""
