"""`verify`: is every hop of token → SSM → ExternalSecret → Secret → pod env → openclaw.json
consistent right now, and if not, which hop is broken and what fixes it.

Why: after `pulumi up`, after a rotation, or when a webhook receiver answers 401, an operator
needs one answer instead of five commands to run and interpret. verify reads the stack's
settings and outputs through Pulumi (tools.verify.stack; never a decrypted output), reads each
system with the stages' read-only calls (stages.parameter.ssm_reader, stages.kube_reader,
stages.section.git.branch_head), has each stage judge its hops with pure functions
(stages/<stage>/verify.py; tools.verify.check walks stages.ORDER) and prints one ✔/✘ line per
hop with its evidence, and for a ✘ the likely cause and one command that fixes it
(tools.verify.output).

    ./bin/verify [--stack NAME] [--json] [--project-dir DIR] [--print-permissions]

Exit status: 0 every hop holds; 1 a hop fails, or Phase 2 is absent (the stack has no outputs:
destroyed or never deployed; status `absent`); 2 the check could not run or a hop could not be
checked (no stack, no credentials, no access, unreachable). `--print-permissions` prints the
Role and IAM policy verify needs (tools.verify.permissions). The token never leaves: values
are hashed where they are read, and everything printed passes through a Redactor that knows
every secret value this process touched (stages.redaction).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import traceback
from pathlib import Path

from stages.hop import CannotRead
from stages.redaction import Redactor
from tools.verify import permissions as verify_permissions
from tools.verify.check import Access, check
from tools.verify.model import Report
from tools.verify.output import render
from tools.verify.stack import StackView

ROOT = Path(__file__).resolve().parents[2]
# Client libraries that log request and response bodies at DEBUG: a Secret's data, an SSM
# value. Held at WARNING whatever the root logger's level is, so no log handler ever sees one.
QUIET_LOGGERS = ("botocore", "boto3", "urllib3", "kubernetes")
# bin/verify runs from the repository; it passes the caller's folder for a relative path.
CALLER_DIR_ENV = "OPENCLAW_VERIFY_CALLER_DIR"


def options_from(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="verify",
        description="Check every hop of the live path (SSM → ExternalSecret → Secret → pod env "
        "→ openclaw.json) read-only; exit 0 all hold, 1 a hop fails or Phase 2 is absent, "
        "2 the check cannot run.",
    )
    parser.add_argument("--stack", help="the stack (default: the selected one)")
    parser.add_argument("--json", action="store_true", help="one JSON object (schema_version 1)")
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=ROOT,
        help="the Pulumi project folder (default: this repository)",
    )
    parser.add_argument(
        "--print-permissions",
        action="store_true",
        help="print the Kubernetes Role and the IAM policy verify needs, then exit",
    )
    options = parser.parse_args(argv)
    options.project_dir = Path(os.environ.get(CALLER_DIR_ENV, "")) / options.project_dir
    return options


def main(argv: list[str] | None = None, access: Access | None = None) -> int:
    options = options_from(argv)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    access = access or Access()
    redactor = Redactor()
    started = time.monotonic()
    try:
        view = access.read_stack(options.stack, options.project_dir, redactor)
        if options.print_permissions:
            return _print_permissions(view, options.json, redactor)
        report = check(view, access, redactor)
    except CannotRead as problem:
        report = Report(
            options.stack or "(selected)",
            "error",
            f"cannot check: {problem.summary}",
            cause=problem.cause,
            fix=problem.fix,
        )
    except Exception as error:  # an unforeseen failure: no traceback text, which may quote values
        where = "; ".join(
            f"{Path(frame.filename).name}:{frame.lineno} {frame.name}"
            for frame in traceback.extract_tb(error.__traceback__)[-4:]
        )
        report = Report(
            options.stack or "(selected)",
            "error",
            f"verify failed: {type(error).__name__} (at {where})",
            cause="a bug in verify, or an answer it does not understand",
            fix="./bin/verify --json   (and report the output)",
        )
    text = render(report, time.monotonic() - started, as_json=options.json, redactor=redactor)
    cannot_run = report.status == "error" and not report.hops
    (sys.stderr if cannot_run and not options.json else sys.stdout).write(text)
    return report.exit_status


def _print_permissions(view: StackView, as_json: bool, redactor: Redactor) -> int:
    arn = view.outputs.get("parameterArn")
    known = arn if isinstance(arn, str) else None
    if as_json:
        document = {
            "rbac": verify_permissions.rbac(view.settings),
            "iam": verify_permissions.iam(view.settings, view.region, known),
        }
        sys.stdout.write(redactor.scrub(json.dumps(document, indent=2)) + "\n")
    else:
        text = verify_permissions.render(view.settings, view.name, view.region, known)
        sys.stdout.write(redactor.scrub(text))
    return 0
