"""A literal token in the `cron` section fails the config and gitops hops and is never printed.

verify describes a difference key by key and never quotes a live `webhookToken`; here the
whole rendered report (text and JSON) is searched for the literal, in both places it can be
pasted: the live ConfigMap (config hop) and the GitOps repository's manifest (gitops hop).
The Redactor does not know a pasted token, so only not quoting it protects it.
"""

from __future__ import annotations

import pytest
from test_verify_hops import ARGO, DOCUMENT, GIT, WHERE, C, S, config_map, head, manifest

from stages.redaction import Redactor
from stages.section.document import set_section
from stages.section.git.verify import gitops_hop
from stages.section.verify import config_hop, differences
from tools.verify.model import Report
from tools.verify.output import render

LITERAL = "5f" * 32
PASTED = set_section(DOCUMENT, "cron", {**S.cron_section(), "webhookToken": LITERAL}, context="t")
NOTE = "webhookToken is not the placeholder ${OPENCLAW_CRON_WEBHOOK_TOKEN} (a literal value: "


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_a_literal_token_fails_both_hops_and_is_never_printed(as_json: bool) -> None:
    config = config_hop(GIT, config_map(PASTED, **ARGO), None, "not judged", C)
    gitops = gitops_hop(GIT, config_map(PASTED, **ARGO), head(manifest(PASTED)), C)
    report = Report("dev", "fail", "2 hops fail", (config, gitops))

    shown = render(report, 0.1, as_json=as_json, redactor=Redactor())

    assert (config.status, gitops.status) == ("fail", "fail")
    assert config.summary == f"{WHERE}: {NOTE}a token in a ConfigMap)"
    assert gitops.summary == (
        "app/cm.yaml (branch main of file:///srv/gitops.git) (commit c0ffeec0ffee): "
        f"{NOTE}a token in a ConfigMap)"
    )
    assert LITERAL not in shown
    assert LITERAL[:12] not in shown


@pytest.mark.parametrize("token", ["${lower_case}", "${OPENCLAW_CRON_WEBHOOK_TOKEN}x"])
def test_a_value_outside_openclaws_placeholder_grammar_is_called_literal(token: str) -> None:
    found = differences({**S.cron_section(), "webhookToken": token}, S.cron_section())

    assert found == [f"{NOTE}a token in a ConfigMap)"]
