"""What verify says when the SSM endpoint answers with something that is not an SSM error.

The endpoint is the user's to set (AWS_ENDPOINT_URL_SSM, a proxy in the way). botocore turns
any answer of status 300 and above into a ClientError, but only from 301 on does it parse an
error out of it: a 300 reaches the reader with no error code at all, a proxy's HTML 502 with
the status as its code. Either is one CannotRead in our words, naming the call, never a crash,
and it comes soon: a person is waiting, so a 5xx is retried twice (CLIENT_CONFIG), however
many attempts the user's AWS configuration allows other tools (here AWS_MAX_ATTEMPTS=10).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from stages.hop import CannotRead
from stages.parameter import ssm_reader
from stages.redaction import Redactor

pytestmark = pytest.mark.process  # a local HTTP server, and botocore's models

PERMISSIONS_FIX = "./bin/verify --stack dev --print-permissions"


class _Answer(BaseHTTPRequestHandler):
    status = 0
    body = b""
    calls: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.calls.append(self.headers["X-Amz-Target"])
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def endpoint(request: pytest.FixtureRequest) -> Iterator[tuple[str, list[str]]]:
    """A local endpoint that answers every call with the parametrised (status, body); its URL,
    and the operations it was asked, in order."""
    status, body = request.param
    calls: list[str] = []
    handler = type("Answer", (_Answer,), {"status": status, "body": body, "calls": calls})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", calls
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.mark.parametrize(
    ("endpoint", "code", "asked"),
    [((300, b""), "Unknown", 1), ((502, b"<html>Bad Gateway</html>"), "502", 3)],
    indirect=["endpoint"],
    ids=["300 without an error", "502 from a proxy"],
)
def test_an_answer_that_is_no_ssm_error_is_a_failed_call_with_its_code(
    endpoint: tuple[str, list[str]], code: str, asked: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, calls = endpoint
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "10")
    client = ssm_reader.ssm_client("eu-west-1", {"AWS_ENDPOINT_URL_SSM": url})
    with pytest.raises(CannotRead) as failed:
        ssm_reader.read_parameter(client, "/p", Redactor(), PERMISSIONS_FIX)
    assert (failed.value.summary, failed.value.cause, failed.value.fix) == (
        f"SSM DescribeParameters on /p failed: {code}",
        f"SSM answered {code} to ssm:DescribeParameters",
        "aws ssm describe-parameters --parameter-filters Key=Name,Values=/p",
    )
    assert calls == ["AmazonSSM.DescribeParameters"] * asked
