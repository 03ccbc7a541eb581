"""A loopback double of ClinicalTrials.gov API v2 ``/studies`` for the tests.

It pages with ``pageSize``/``pageToken`` (the token is an opaque string, as the real API's), counts with
``countTotal``, and injects faults on demand: 429 with Retry-After, 5xx, malformed JSON. Every request is logged.
Its studies are fixtures made up for the tests (NCT09xxxxxx numbers no real trial has); none is a real record.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Fault:
    kind: str  # status, malformed
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)


def fixture_study(number: int, *, status: str = "COMPLETED", results: bool = False) -> dict:
    return {
        "protocolSection": {
            "identificationModule": {"nctId": f"NCT09{number:06d}", "briefTitle": f"Fixture trial {number}"},
            "statusModule": {"overallStatus": status, "startDateStruct": {"date": "2019-01"},
                             "primaryCompletionDateStruct": {"date": "2021-06"},
                             "completionDateStruct": {"date": "2021-12"}},
            "designModule": {"enrollmentInfo": {"count": 40 + number, "type": "ACTUAL"}},
            "conditionsModule": {"conditions": ["PTSD"]},
        },
        "hasResults": results,
    }


class CtgovDouble:
    def __init__(self) -> None:
        self.studies: dict[str, list[dict]] = {}
        self.requests: list[dict[str, str]] = []
        self._faults: deque[Fault] = deque()
        self._server: ThreadingHTTPServer | None = None

    def add(self, term: str, studies: list[dict]) -> None:
        self.studies[term] = studies

    def fail_next(self, fault: Fault, times: int = 1) -> None:
        self._faults.extend([fault] * times)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api/v2/"

    def __enter__(self) -> CtgovDouble:
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                double._handle(self)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.requests.append(params)
        fault = self._faults.popleft() if self._faults else None
        if fault is not None and fault.kind == "status":
            return self._send(handler, fault.status, b'{"error": "fixture fault"}', fault.headers)
        if not parts.path.endswith("/studies"):
            return self._send(handler, 404, b'{"error": "not found"}')
        studies = self.studies.get(params.get("query.term", ""), [])
        size = int(params.get("pageSize", "10"))
        start = int(params.get("pageToken", "tok0")[3:])
        page = {"studies": studies[start:start + size]}
        if params.get("countTotal") == "true":
            page["totalCount"] = len(studies)
        if start + size < len(studies):
            page["nextPageToken"] = f"tok{start + size}"
        body = json.dumps(page).encode("utf-8")
        if fault is not None and fault.kind == "malformed":
            body = body[: len(body) // 2]
        self._send(handler, 200, body)

    def _send(self, handler, status: int, body: bytes, headers=None) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)

    def count(self) -> int:
        return len(self.requests)
