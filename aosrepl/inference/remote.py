"""A worker engine that asks an OpenAI-compatible completion server (e.g. `python3 -m llama_cpp.server`)
instead of running the model in this process. Same API as LocalEngine; tokens are read one at a time from
a streamed completion, so `Llama.next()` still yields one token per call.

Phi-3 style prompts go to `/v1/chat/completions` (the server applies its model's chat template); other
prompts go to `/v1/completions` as raw text. Continuing a chat after `add()`/`loadState()` falls back to the
raw Phi-3 text, because chat endpoints cannot resume a half-written assistant turn.
"""
from __future__ import annotations

import http.client
import json
import socket
import urllib.parse

from aosrepl.inference import dialects, timeline
from aosrepl.inference.engine import Engine, InferenceError, pooled_unit_vector

DEFAULT_BUDGET = 512      # tokens requested when next() is called without run(n)
TIMEOUT = 120.0           # seconds for connecting and for each read


class RemoteEngine(Engine):
    def __init__(self, url: str, timeout: float = TIMEOUT):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise InferenceError(f"backend must be an http(s) URL, got {url!r}")
        self.url = url
        self._parsed = parsed
        self._prefix = parsed.path.rstrip("/")
        if not self._prefix.endswith("/v1"):
            self._prefix += "/v1"
        self._timeout = timeout
        super().__init__()
        self._model_ref = None
        self._stream = None
        self._reset("")

    # -- model -----------------------------------------------------------------------------------
    def load(self, reference: str) -> str:
        """The server owns the model; the reference is only checked and kept (nothing is sent yet)."""
        if not isinstance(reference, str) or not reference.strip():
            raise InferenceError("model reference must be a non-empty string")
        self._model_ref = reference
        return f"{self.url} ({reference})"

    def _stop_generation(self) -> None:
        self._end_stream()

    # -- prompt and generation -------------------------------------------------------------------
    def _reset(self, prompt: str):
        self._prompt = prompt
        self._chat = dialects.parse_phi3(prompt)
        self._generated = ""
        self._finished = self._turn_over = False
        self._first_pending = True

    def set_prompt(self, text) -> None:
        if not isinstance(text, str):
            raise InferenceError("prompt must be a string")
        self._require_model()
        self._end_stream()
        self._reset(text)
        timeline.record("prompt-set")

    def add(self, text) -> None:
        if not isinstance(text, str):
            raise InferenceError("text to add must be a string")
        self._end_stream()
        self._generated += text
        self._finished = self._turn_over = False

    def next(self) -> str:
        if self._finished:
            return ""
        self._require_model()
        if self._stream is None:
            self._open_stream(DEFAULT_BUDGET)
        piece = self._read_piece()
        self._generated += piece
        return piece

    def run(self, count) -> str:
        if not isinstance(count, (int, float)) or count < 0:
            raise InferenceError("token count must be a number >= 0")
        count = int(count)
        if self._finished or count == 0:
            return ""
        self._require_model()
        if self._stream is None:
            self._open_stream(count)
        parts = []
        for _ in range(count):
            piece = self.next()
            if self._finished and not piece:
                break
            parts.append(piece)
        self._end_stream()   # a stream opened for more tokens is not read on; the next call reopens
        timeline.record("run-done", len(parts))
        return "".join(parts)

    def stop(self) -> None:
        self._end_stream()
        self._finished = True
        self._turn_over = False

    def _require_model(self):
        if self._model_ref is None:
            raise InferenceError("no model loaded: call Llama.load(id) first")

    # -- HTTP streaming --------------------------------------------------------------------------
    def _request_body(self, max_tokens: int) -> tuple[str, dict]:
        body = {"max_tokens": max_tokens, "temperature": self.temp, "seed": self.seed, "stream": True}
        if self._chat is not None and not self._generated:
            body["messages"] = self._chat.messages + (
                [] if not self._chat.prefill else [{"role": "assistant", "content": self._chat.prefill}])
            return "/chat/completions", body
        body["prompt"] = self._prompt + self._generated
        return "/completions", body

    def _post(self, path: str, body: dict, headers: dict):
        """Connects, sends, and waits for the answer's status line. Connecting and answering fail apart:
        a server that is not there is unreachable; one that accepts the connection and then says nothing
        within the timeout is reported as exactly that."""
        conn_class = http.client.HTTPSConnection if self._parsed.scheme == "https" else http.client.HTTPConnection
        conn = conn_class(self._parsed.hostname, self._parsed.port, timeout=self._timeout)
        try:
            conn.connect()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise InferenceError(f"inference backend unreachable at {self.url}: {_reason(exc)}") from None
        try:
            conn.request("POST", self._prefix + path, body=json.dumps(body), headers=headers)
            return conn, conn.getresponse()
        except socket.timeout:
            conn.close()
            raise InferenceError(f"inference backend at {self.url} accepted the connection but sent no answer "
                                 f"within {self._timeout:g} s") from None
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise InferenceError(f"inference backend at {self.url} closed the connection without an answer: "
                                 f"{_reason(exc)}") from None

    def _open_stream(self, max_tokens: int):
        endpoint, body = self._request_body(max_tokens)
        conn, response = self._post(endpoint, body, {"Content-Type": "application/json",
                                                     "Accept": "text/event-stream"})
        if response.status != 200:
            detail = response.read(500).decode("utf-8", errors="replace")
            conn.close()
            raise InferenceError(f"inference backend error {response.status}: {detail.strip()}")
        self._stream = (conn, response, endpoint)

    def _read_piece(self) -> str:
        conn, response, endpoint = self._stream
        while True:
            try:
                line = response.readline()
            except socket.timeout:
                self._end_stream()
                raise InferenceError(f"inference backend failed mid-stream: it sent nothing for "
                                     f"{self._timeout:g} s") from None
            except (OSError, http.client.HTTPException) as exc:
                self._end_stream()
                raise InferenceError(f"inference backend failed mid-stream: {_reason(exc)}") from None
            if not line:                      # stream closed without [DONE]
                return self._finish(None)
            line = line.strip()
            if not line.startswith(b"data:"):
                continue
            payload = line[5:].strip()
            if payload == b"[DONE]":
                return self._finish(None)
            try:
                choice = json.loads(payload)["choices"][0]
            except (ValueError, KeyError, IndexError, TypeError):
                continue
            text = choice.get("text")
            if text is None:
                text = (choice.get("delta") or {}).get("content") or ""
            if self._first_pending and text:
                self._first_pending = False
                timeline.record("first-token")
            if choice.get("finish_reason"):
                return self._finish(choice["finish_reason"], text)
            if text:
                return text

    def _finish(self, reason, text: str = "") -> str:
        self._end_stream()
        self._finished = True
        self._turn_over = reason == "stop"     # the model ended its answer (not the token budget)
        if reason == "stop" and self._chat is not None:
            text += dialects.PHI3_TURN_END      # the turn's end, written the Phi-3 way (as LocalEngine does)
        return text

    def _end_stream(self):
        if self._stream is not None:
            self._stream[0].close()
            self._stream = None

    # -- state -----------------------------------------------------------------------------------
    def save_state(self) -> int:
        self._end_stream()
        return self._states.save((self._prompt, self._generated, self._finished, self._turn_over))

    def load_state(self, handle=None) -> None:
        prompt, generated, finished, turn_over = self._states.get(handle)
        self._end_stream()
        self._reset(prompt)
        self._generated, self._finished, self._turn_over = generated, finished, turn_over

    def embed(self, text) -> list[float]:
        if not isinstance(text, str):
            raise InferenceError("text to embed must be a string")
        self._require_model()
        conn, response = self._post("/embeddings", {"input": text}, {"Content-Type": "application/json"})
        try:
            raw = response.read()
        except socket.timeout:
            raise InferenceError(f"inference backend at {self.url} stopped answering (nothing for "
                                 f"{self._timeout:g} s)") from None
        except (OSError, http.client.HTTPException) as exc:
            raise InferenceError(f"inference backend at {self.url} failed while answering: {_reason(exc)}") from None
        finally:
            conn.close()
        if response.status != 200:
            raise InferenceError(f"inference backend error {response.status}: {raw[:500].decode(errors='replace')}")
        try:
            vector = json.loads(raw)["data"][0]["embedding"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise InferenceError("inference backend sent an embedding response it could not read") from None
        return pooled_unit_vector(vector)

    def close(self):
        self._end_stream()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout):
        return "timed out"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
