"""What verify does with a secret value it touches: hashes it, and scrubs every byte it prints.

Why in stages: the stages' readers (stages.parameter.ssm_reader, stages.kube_reader) are where a
value is read, so they hash it there, in memory, and register it with the Redactor; the
verdicts only ever see SHA-256 digests, of which at most DIGEST_PREFIX characters are printed.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field

DIGEST_PREFIX = 12  # the most of a SHA-256 digest ever printed


def digest_of(value: bytes) -> str:
    return hashlib.sha256(value).hexdigest()


def prefix(digest: str) -> str:
    return digest[:DIGEST_PREFIX]


@dataclass
class Redactor:
    """The last line of defence: every byte verify prints passes through `scrub`.

    The readers register each secret value they touch (the SSM value, the Secret's value, secret
    stack config such as a kubeconfig's contents) together with its base64 forms, the way a
    Kubernetes Secret or a log line might carry it. The verdicts never hold those values; this
    catches what a message might quote anyway. Values shorter than 6 characters are not
    registered: scrubbing them would garble every line and protect nothing.
    """

    replacement: str = "[redacted]"
    _secrets: set[str] = field(default_factory=set)

    def add(self, value: str | bytes) -> None:
        raw = value.encode() if isinstance(value, str) else value
        forms = {
            raw.decode(errors="replace"),
            base64.b64encode(raw).decode(),
            base64.urlsafe_b64encode(raw).decode(),
            base64.b64encode(raw).decode().rstrip("="),
        }
        self._secrets.update(form for form in forms if len(form) >= 6)

    def scrub(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, self.replacement)
        return text
