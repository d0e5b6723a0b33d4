"""`permissions`: what each role that runs the stack must be granted, printed before any stack
exists.

Why its own command, reading the stack's file: the identities that run `pulumi preview`,
`pulumi up` and `./bin/verify` have to be created, and granted, before the first rollout, when
there is no state and maybe no Pulumi CLI to ask. So the stack file is read as the offline plan
reads it (tools.plan.stack_file: Pulumi.yaml's project and defaults, then Pulumi.<stack>.yaml),
validated by the program's own parser (stack.settings.parse_settings), and the rules the stages
state (stages/<stage>/permissions.py) are printed as documents (stack.permissions).

    ./bin/permissions [--stack NAME | --stack-file FILE] [--role ROLE ...] [--part PART ...]
                      [--aws-account-id ID]

Prints one YAML stream on stdout: per role, its Kubernetes Roles and bindings, its IAM policy
(JSON), and in git mode the repository credential's access. A bad stack file or setting is one
message on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from stack.permissions import PARTS, render
from stack.settings import PROJECT, ConfigError, decoded, parse_settings
from stages.permissions import ROLES, Role, Scope
from tools.plan.errors import PlanError
from tools.plan.stack_file import Stack, add_stack_options, load_stack

ROOT = Path(__file__).resolve().parents[2]
# bin/permissions runs from the repository; it passes the caller's folder for a relative path.
CALLER_DIR_ENV = "OPENCLAW_PERMISSIONS_CALLER_DIR"
ACCOUNT_ID = re.compile(r"^[0-9]{12}$")


def options_from(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="permissions",
        description="Print what each role (preview, deployer, verify) must be granted: its "
        "Kubernetes Roles and bindings, its IAM policy, and in git mode the repository "
        "credential's access. Read from the stack's file; no Pulumi CLI, no state.",
    )
    add_stack_options(parser)
    parser.add_argument(
        "--role", action="append", choices=ROLES, help="only this role (repeatable; default all)"
    )
    parser.add_argument(
        "--part", action="append", choices=PARTS, help="only this part (repeatable; default all)"
    )
    parser.add_argument(
        "--aws-account-id",
        metavar="ID",
        help="the 12-digit account of the parameter and key ARNs (default *)",
    )
    options = parser.parse_args(argv)
    if options.aws_account_id is not None and not ACCOUNT_ID.match(options.aws_account_id):
        parser.error(f"--aws-account-id {options.aws_account_id!r}: an account id is 12 digits")
    if options.stack_file is not None:
        options.stack_file = Path(os.environ.get(CALLER_DIR_ENV, "")) / options.stack_file
    return options


def scope_of(stack: Stack, account: str | None) -> Scope:
    """The stack's settings, as `pulumi up` would parse them, and its region."""
    values = stack.config.values
    prefix = f"{PROJECT}:"
    secret = [key for key in stack.config.secret_keys if key.startswith(prefix)]
    if secret:
        key = secret[0]
        raise PlanError(
            f"{stack.file.name}: {key} is set as a secret, but no setting of this stack is "
            "sensitive (pulumi up refuses it too)\n"
            f"  fix: pulumi config set --path '{key}' <value> --stack {stack.name}   (no --secret)"
        )
    raw = {
        key[len(prefix) :]: decoded(key[len(prefix) :], value)
        for key, value in values.items()
        if key.startswith(prefix)
    }
    try:
        settings = parse_settings(raw)
    except ConfigError as error:
        issues = "\n".join(issue.render() for issue in error.issues)
        raise PlanError(f"{stack.file.name}: the stack's config is invalid\n{issues}") from None
    region = values.get("aws:region")
    return Scope(settings, region if isinstance(region, str) else "*", account or "*")


def main(argv: list[str] | None = None) -> int:
    options = options_from(argv)
    try:
        stack = load_stack(ROOT, options.stack, options.stack_file)
        scope = scope_of(stack, options.aws_account_id)
    except PlanError as error:
        print(f"permissions failed: {error}", file=sys.stderr)
        return 2
    roles: tuple[Role, ...] = tuple(r for r in ROLES if r in (options.role or ROLES))
    parts = tuple(p for p in PARTS if p in (options.part or PARTS))
    sys.stdout.write(render(scope, stack.name, roles, parts))
    return 0
