"""How each command the code prints is filled in when the e2e runs it (see e2e.harness.printed).

A command printed with fields (`pulumi up --stack {self.stack}`) is run as one of its call-sites
renders it; the rendering must match the printed template (e2e.harness.printed.part_pattern,
checked by
tests/test_printed_commands.py), so it cannot drift from the code. `<placeholders>` that the
message leaves for the reader are filled from `PLACEHOLDERS`. Values in braces are the e2e
world's, as e2e.harness.runbook.substitute fills them: `{stack}` the scratch stack the config
commands
run on, `{repo_url}` the GitOps repository, `{kubeconfig}`, `{endpoint}` (moto), `{context}`.

`EXCLUDED` names a printed command no test can run here, with why.
"""

from __future__ import annotations

P = "openclaw-cron-webhook"
MANIFEST = "argoproj/openclaw/configmap-openclaw.yaml"  # the e2e's GitOps repository's file

RENDERINGS: dict[str, tuple[str, ...]] = {
    # stack.config_issues: the fix lines of config errors (tests/test_settings_messages.py
    # renders each from a bad config; these are two of them).
    "pulumi config set --path '{PROJECT}:{config_path(parts)}' {value}": (
        f"pulumi config set --path '{P}:token.tags.team' platform",
    ),
    "pulumi config rm --path '{PROJECT}:{config_path(parts)}'": (
        f"pulumi config rm --path '{P}:token.tags.team'",
    ),
    "pulumi config rm '{PROJECT}:{flat}' && {set_command(parts, _shell(shown))}": (
        f"pulumi config rm '{P}:section.target' && "
        f"pulumi config set --path '{P}:section.target' git",
    ),
    "pulumi config rm '{PROJECT}:{parts[0]}'": (f"pulumi config rm '{P}:namespaces'",),
    "pulumi config set --path '{namespace}:{top}' <value>": (
        f"pulumi config set --path '{P}:namespace' openclaw",
    ),
    # stack.delivery: `pulumi stack output verify`, the same as docs/operations.md's block.
    "aws ssm get-parameter --name {settings.token.parameter_name} --query "
    "'Parameter.[Type,Version]' --output text": (
        "aws ssm get-parameter --name /lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN --query "
        "'Parameter.[Type,Version]' --output text",
    ),
    "kubectl -n {ns} get externalsecret {settings.external_secret_name} -o "
    "jsonpath='{.status.conditions[?(@.type==\"Ready\")].reason}'": (
        "kubectl -n openclaw get externalsecret openclaw-cron-webhook-r1 -o "
        "jsonpath='{.status.conditions[?(@.type==\"Ready\")].reason}'",
    ),
    "kubectl -n {ns} describe secret {settings.secret_name}": (
        "kubectl -n openclaw describe secret openclaw-cron-webhook-r1",
    ),
    "kubectl -n {ns} exec deploy/{settings.deployment.name} -c {settings.deployment.container} "
    "-- sh -c 'printf %s \"${settings.deployment.env_name}\" | wc -c'": (
        "kubectl -n openclaw exec deploy/openclaw -c openclaw -- sh -c 'printf %s "
        '"$OPENCLAW_CRON_WEBHOOK_TOKEN" | wc -c\'',
    ),
    "kubectl -n {ns} get configmap {settings.config.config_map} -o "
    "jsonpath='{.data.{key}}' | jq .cron": (
        "kubectl -n openclaw get configmap openclaw-config -o "
        "jsonpath='{.data.openclaw\\.json}' | jq .cron",
    ),
    # The providers' and verify's diagnostics.
    "kubectl -n {target.namespace} describe pods": ("kubectl -n openclaw describe pods",),
    "kubectl -n {namespace} describe externalsecret {name}": (
        "kubectl -n openclaw describe externalsecret openclaw-cron-webhook-r1",
    ),
    "kubectl -n {props.get('applicationNamespace') or 'argocd'} get application {application}": (
        "kubectl -n argocd get application openclaw",
    ),
    "git show {section['branch']}:{file} > configmap.yaml": (
        f"git show main:{MANIFEST} > configmap.yaml",
    ),
    "aws ssm describe-parameters --parameter-filters Key=Name,Values={name}": (
        "aws ssm describe-parameters --parameter-filters "
        "Key=Name,Values=/lolice/openclaw/OPENCLAW_CRON_WEBHOOK_TOKEN",
    ),
    "aws ssm describe-parameters --max-results 1 --endpoint-url {endpoint}": (
        "aws ssm describe-parameters --max-results 1 --endpoint-url {endpoint}",
    ),
    "pulumi config set kubernetes:context <context> --stack {view.name}": (
        "pulumi config set kubernetes:context {context} --stack {stack}",
    ),
    "pulumi config set --path '{PROJECT}:deployment.container' <one of those> && {c.up}": (
        f"pulumi config set --path '{P}:deployment.container' openclaw && pulumi up --stack dev",
    ),
    "git ls-remote {redact_url(git.repo)} {git.branch}": ("git ls-remote {repo_url} main",),
    "pulumi up --stack {self.stack}": ("pulumi up --stack dev",),
    "pulumi up --refresh --stack {self.stack}": ("pulumi up --refresh --stack dev",),
    "./bin/verify --stack {self.stack} --print-permissions": (
        "./bin/verify --stack dev --print-permissions",
    ),
    "pulumi config set --path '{key}' <value> --stack {fix_stack}": (
        f"pulumi config set --path '{P}:namespace' openclaw --stack {{stack}}",
    ),
    "pulumi config --stack {fix_stack}": ("pulumi config --stack {stack}",),
    "pulumi config set --path '{key}' <value> --stack {stack.name}": (
        f"pulumi config set --path '{P}:namespace' openclaw --stack {{stack}}",
    ),
}

# What a message leaves for the reader to fill in, and what the e2e fills in.
PLACEHOLDERS: dict[str, str] = {
    "<path>": MANIFEST,
    "<manifest path>": MANIFEST,
    "<the ConfigMap manifest in it>": MANIFEST,
    "<url without it>": "{repo_url}",
    "<the repo URL the controller syncs>": "{repo_url}",
    "<repo URL>": "{repo_url}",
    "<url>": "{repo_url}",
    "<branch>": "main",
    "<one of those>": "openclaw",
    "<Application>": "openclaw",
    "<region>": "{region}",
    "<name>": "dev",
    "'Name <email>'": "'Platform team <platform@example.invalid>'",
    '"$(cat FILE)"': '"$(cat {kubeconfig})"',
}

EXCLUDED: dict[str, str] = {}
