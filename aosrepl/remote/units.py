"""HTTP clients of AO's units (modules-and-remote.md §8): the Messenger Unit takes signed data items, the
Compute Unit answers results and dry-runs, the gateway answers GraphQL. Every failure is a UnitError that
names the unit, the URL and what it answered (or why it could not be reached)."""
from __future__ import annotations

import html
import ipaddress
import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request

from aosrepl.remote.errors import ResultPending, UnitError, UnitNotFound

DEFAULT_TIMEOUT = 30.0
ANSWER_SHOWN = 300        # characters of an error answer worth quoting


def _is_loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_HTML_TAG = re.compile(r"<[^>]*>")


def _short(text: str) -> str:
    """An answer worth quoting in one line: HTML error pages lose their markup, long answers are cut."""
    if "<html" in text[:200].lower() or "<!doctype" in text[:200].lower():
        text = html.unescape(_HTML_TAG.sub(" ", text.split("<body", 1)[-1].split(">", 1)[-1]))
    text = " ".join(text.split())
    return text if len(text) <= ANSWER_SHOWN else text[:ANSWER_SHOWN] + "…"


class HttpUnit:
    """One unit at a base URL. Loopback URLs bypass any proxy set in the environment."""

    name = "unit"

    def __init__(self, base_url: str, timeout: float = DEFAULT_TIMEOUT):
        parts = urllib.parse.urlsplit(base_url or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{self.name} URL must be an http(s) URL, not {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        handlers = [urllib.request.ProxyHandler({})] if _is_loopback(base_url) else []
        self._opener = urllib.request.build_opener(*handlers)

    def url(self, path: str, query: dict | None = None) -> str:
        query = {k: v for k, v in (query or {}).items() if v is not None}
        return self.base_url + path + ("?" + urllib.parse.urlencode(query) if query else "")

    def request(self, method: str, path: str, *, query=None, body: bytes | None = None,
                content_type: str | None = None, timeout: float | None = None) -> bytes:
        url = self.url(path, query)
        headers = {"Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with self._opener.open(req, timeout=timeout or self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            try:
                text = exc.read().decode("utf-8", errors="replace")
            except OSError:
                text = ""
            problem = f"answered {exc.code} {exc.reason}" + (f": {_short(text)}" if text.strip() else "")
            kind = UnitNotFound if exc.code == 404 else UnitError
            raise kind(self.name, url, problem, exc.code) from None
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise UnitError(self.name, url, f"could not be reached ({reason})") from None

    def json(self, method: str, path: str, **kwargs):
        return self._decode(self.request(method, path, **kwargs), path, kwargs.get("query"))

    def _decode(self, raw: bytes, path: str, query: dict | None):
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise UnitError(self.name, self.url(path, query),
                            f"answered something that is not JSON: {_short(raw.decode('utf-8', 'replace'))}") from None


class MessengerUnit(HttpUnit):
    name = "the MU"

    def post_data_item(self, raw: bytes) -> str:
        """Sends a signed data item (a message or a spawn); returns the id the MU gives it."""
        answer = self.json("POST", "/", body=raw, content_type="application/octet-stream")
        if not isinstance(answer, dict) or not isinstance(answer.get("id"), str):
            raise UnitError(self.name, self.url("/"), f"answered without an id: {_short(json.dumps(answer))}")
        return answer["id"]

    def monitor(self, pid: str, raw: bytes) -> None:
        self.request("POST", f"/monitor/{pid}", body=raw, content_type="application/octet-stream")

    def unmonitor(self, pid: str, raw: bytes) -> None:
        self.request("DELETE", f"/monitor/{pid}", body=raw, content_type="application/octet-stream")


class ComputeUnit(HttpUnit):
    name = "the CU"

    def result(self, message_id: str, pid: str) -> dict:
        path, query = f"/result/{message_id}", {"process-id": pid}
        raw = self.request("GET", path, query=query)
        if not raw.strip():
            raise ResultPending(self.name, self.url(path, query), "has not computed this result yet (an empty answer)")
        answer = self._decode(raw, path, query)
        if not isinstance(answer, dict):
            raise UnitError(self.name, self.url(path, query), "answered a result that is not an object")
        return answer

    def results(self, pid: str, *, after: str | None = None, sort: str = "ASC", limit: int = 25) -> list[dict]:
        """[{cursor, node}] of the process's results, oldest first (ASC) from just after `after`."""
        answer = self.json("GET", f"/results/{pid}", query={"from": after, "sort": sort, "limit": limit})
        edges = answer.get("edges") if isinstance(answer, dict) else None
        if not isinstance(edges, list):
            raise UnitError(self.name, self.url(f"/results/{pid}"), "answered results without edges")
        return [e for e in edges if isinstance(e, dict) and isinstance(e.get("cursor"), str)]

    def dry_run(self, pid: str, message: dict) -> dict:
        body = json.dumps(message).encode("utf-8")
        answer = self.json("POST", "/dry-run", query={"process-id": pid}, body=body,
                           content_type="application/json")
        if not isinstance(answer, dict):
            raise UnitError(self.name, self.url("/dry-run"), "answered a dry-run result that is not an object")
        return answer


class Gateway(HttpUnit):
    name = "the gateway"

    def graphql(self, query: str, variables: dict) -> dict:
        body = json.dumps({"query": query, "variables": variables}).encode("utf-8")
        answer = self.json("POST", "/graphql", body=body, content_type="application/json")
        if not isinstance(answer, dict) or not isinstance(answer.get("data"), dict):
            errors = answer.get("errors") if isinstance(answer, dict) else None
            raise UnitError(self.name, self.url("/graphql"),
                            f"answered a GraphQL error: {_short(json.dumps(errors if errors else answer))}")
        return answer["data"]
