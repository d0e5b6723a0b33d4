"""The shared fake API server (tests/fake_kube_api.py) plus any object served by its path.

Why: verify also reads ESO's objects (ExternalSecrets, the stores) and Secrets, which the shared
fake does not model; a read-only test needs only that a GET of the object's path answers it, and
that a path nothing is stored at answers 404, as the API server does. An error queued with
`fail_next` still comes first, and every request is logged in `requests`.
"""

from __future__ import annotations

import copy
from typing import Any

from fake_kube_api import FakeKubeApi, LoggedRequest


class FakeKubeObjects(FakeKubeApi):
    def __init__(self) -> None:
        super().__init__()
        self.objects: dict[str, dict[str, Any]] = {}

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        body: dict[str, Any] | None,
        content_type: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        with self._lock:
            failing = any(failure[0] == method for failure in self._failures)
            if method == "GET" and path in self.objects and not failing:
                self.requests.append(LoggedRequest(method, path, query, None))
                return 200, copy.deepcopy(self.objects[path])
        return super().handle(method, path, query, body, content_type)
