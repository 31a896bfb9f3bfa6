"""Prompt dialects: a prompt written in Phi-3's chat markup (what the public herder's model expected, and what
the article's Joker sends) is re-rendered through the loaded model's own chat template, so it works on any
instruct model. Any other prompt is passed to the model untouched.
"""
from __future__ import annotations

import re

from aosrepl.records import Record

PHI3_END = "<|end|>"
# How a finished turn ends in Phi-3's chat format: what a worker emits when the model ends its answer.
PHI3_TURN_END = PHI3_END + "\n"
_ROLE_MARK = re.compile(r"<\|(system|user|assistant)\|>")
# Phi-3 prompts may start with a BOS marker; whitespace around turns is not content.
_LEADING = re.compile(r"^\s*(<s>)?\s*")


class ChatPrompt(Record):
    __slots__ = ("messages", "prefill")

    def __init__(self, messages: list[dict], prefill: str | None):
        self.messages = messages    # [{"role": ..., "content": ...}] for the closed turns
        self.prefill = prefill      # text of an open assistant turn (None: no open turn; "": empty open turn)


def parse_phi3(prompt: str) -> ChatPrompt | None:
    """The turns of a Phi-3 style prompt, or None when the prompt is not one (it then stays raw)."""
    if not isinstance(prompt, str):
        return None
    body = prompt[_LEADING.match(prompt).end():]
    if not _ROLE_MARK.match(body):
        return None
    marks = list(_ROLE_MARK.finditer(body))
    messages: list[dict] = []
    prefill = None
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(body)
        chunk = body[mark.end():end]
        closed = PHI3_END in chunk
        if closed:
            content, rest = chunk.split(PHI3_END, 1)
            if rest.strip():
                return None       # text outside any turn: not a chat prompt we understand
        else:
            content = chunk
        content = content.strip("\n")
        role = mark.group(1)
        if closed:
            messages.append({"role": role, "content": content.strip()})
        elif role == "assistant" and i == len(marks) - 1:
            prefill = content.lstrip()
        else:
            return None           # an unterminated turn in the middle
    if not messages:
        return None
    return ChatPrompt(messages, prefill)


def render(template: str, chat: ChatPrompt, bos_token: str = "", eos_token: str = "") -> str:
    """The chat rendered by a GGUF `tokenizer.chat_template` (Jinja, sandboxed like Hugging Face's)."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message):
        raise ValueError(f"chat template error: {message}")

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    text = env.from_string(template).render(
        messages=chat.messages,
        add_generation_prompt=chat.prefill is not None,
        bos_token=bos_token,
        eos_token=eos_token,
        raise_exception=raise_exception,
    )
    return text + (chat.prefill or "")
