"""The stack's policy pack, as a package so that the tests can import `policy.rules`.

Why a package: without it mypy would see two top-level modules named `__main__` (the stack's
and the pack's). Pulumi itself never imports it: it runs the pack's directory as a script.
"""
