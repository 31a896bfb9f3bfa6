"""A scriptable AO unit on loopback for failure tests: each route answers what the test sets, and every
request is recorded (method, path, query, body)."""
from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StubUnit:
    def __init__(self):
        self.routes: dict[tuple[str, str], tuple[int, str, str]] = {}    # (method, path) -> status, type, body
        self.requests: list[dict] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                parts = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                stub.requests.append({"method": self.command, "path": parts.path,
                                      "query": dict(urllib.parse.parse_qsl(parts.query)), "body": body})
                status, ctype, text = stub.routes.get((self.command, parts.path),
                                                      (404, "application/json", '{"error": "not found"}'))
                raw = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, method: str, path: str, status: int = 200, body="", ctype: str = "application/json"):
        text = body if isinstance(body, str) else json.dumps(body)
        self.routes[(method, path)] = (status, ctype, text)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
