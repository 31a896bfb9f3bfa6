"""Replay golden console transcripts (see README.md beside this file for the layout and the matching rules).

Matching rules, as implemented below:
1. exact text by default, ANSI colour codes removed, blank lines at both ends of an output block ignored;
2. function addresses masked (`function: 0x…`);
3. the user's own process id masked as `<PID>`;
4. an expected line ending in ` (model)` is model text matched by shape: `<model text>` stands for any
   generated text, a quoted string for any quoted string, and ` || ` separates acceptable shapes; it may
   stand for several actual lines (generated text can contain newlines);
5. the lines of one printed table (`{` … `}`) compared without order (and without their trailing commas,
   which depend on the order);
6. Inbox counts in prompts are this session's own (the transcripts carry them);
7. ` (added)` at the end of an expected line marks output the article does not show; it is not compared.
"""
from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
FUNCTION_ADDRESS = re.compile(r"function: (?:builtin: )?0x[0-9a-fA-F]+")
QUOTED = re.compile(r'"[^"]*"', re.S)
PROMPT = re.compile(r"^(?P<prompt>[^\s@]+@aos-[\w.]+\[Inbox:\d+\]> )(?P<input>.*)$")
EDITOR_BANNER = "<editor mode> use '.done' to submit or '.cancel' to cancel"
MODEL, ADDED = " (model)", " (added)"


@dataclass
class Step:
    prompt: str | None          # the prompt the input is typed at; None inside the editor
    input: str
    expected: list[str] = field(default_factory=list)
    added: str | None = None    # why the article leaves this input out, when it does
    line: int = 0               # where the input stands in the transcript file


def parse(path: Path) -> list[Step]:
    steps: list[Step] = []
    in_editor = False
    pending_added = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if raw.startswith("#"):
            if raw.startswith("#+"):
                pending_added = raw[2:].strip() or "added"
            continue
        match = None if in_editor else PROMPT.match(raw)
        if match:
            steps.append(Step(match["prompt"], match["input"], added=pending_added, line=number))
            in_editor = match["input"] == ".editor"
        elif in_editor and not (steps[-1].input == ".editor" and raw == EDITOR_BANNER and not steps[-1].expected):
            steps.append(Step(None, raw, added=pending_added, line=number))
            in_editor = raw != ".done"
        elif steps:
            steps[-1].expected.append(raw)
            continue
        else:
            raise ValueError(f"{path}:{number}: output before the first prompt")
        pending_added = None
    return steps


def plain(text: str, pid: str | None = None) -> str:
    text = FUNCTION_ADDRESS.sub("function: 0x…", ANSI.sub("", text))
    return text.replace(pid, "<PID>") if pid else text


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _model_pattern(shape: str) -> re.Pattern:
    """`<model text>` stands for any generated text, a quoted string for any quoted string, and ` || `
    separates shapes that are each acceptable (e.g. the Joker's joke line or its "Could not find joke" line)."""
    alternatives = []
    for alternative in shape.split(" || "):
        pieces = []
        for index, part in enumerate(QUOTED.sub('"\x00"', alternative).split("<model text>")):
            if index:
                pieces.append("(?s:.*)")      # the whole block is checked to be non-empty
            pieces.append(re.escape(part).replace("\x00", "(?s:.*)"))
        alternatives.append("".join(pieces))
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


def _table_end(lines: list[str], start: int) -> int | None:
    """Index of the `}` closing a table printed from lines[start] == '{' (None if it is not closed)."""
    for index in range(start + 1, len(lines)):
        if lines[index] == "}":
            return index
    return None


def _unordered(lines: list[str]) -> Counter:
    return Counter(line.rstrip(",") for line in lines)


def match_block(expected: list[str], actual: list[str]) -> bool:
    """Does the actual output block match the expected one under the rules above?"""
    expected = [plain(line[: -len(ADDED)] if line.endswith(ADDED) else line) for line in _trim(expected)]
    actual = _trim(actual)
    e = a = 0
    while e < len(expected):
        want = expected[e]
        if want.endswith(MODEL):
            shape = want[: -len(MODEL)]
            following = expected[e + 1] if e + 1 < len(expected) else None
            taken = []
            while a < len(actual) and (not taken or actual[a] != following):
                taken.append(actual[a])
                a += 1
            text = "\n".join(taken)
            if not text.strip() or not _model_pattern(shape).fullmatch(text):
                return False
            e += 1
            continue
        if want == "{" and (end := _table_end(expected, e)) is not None:
            size = end - e + 1
            if a + size > len(actual) or actual[a] != "{" or actual[a + size - 1] != "}":
                return False
            if _unordered(expected[e + 1:end]) != _unordered(actual[a + 1:a + size - 1]):
                return False
            e, a = e + size, a + size
            continue
        if a >= len(actual) or actual[a] != want:
            return False
        e, a = e + 1, a + 1
    return a == len(actual)


class TranscriptMismatch(AssertionError):
    pass


def mismatch(path: Path, step: Step, what: str, expected: list[str], actual: list[str]) -> TranscriptMismatch:
    diff = "\n".join(difflib.unified_diff(expected, actual, "transcript", "console", lineterm=""))
    return TranscriptMismatch(f"{path.name}:{step.line}: {what} after input {step.input!r}\n{diff}")


class Capture:
    """The console's `out`: collects what it writes, taken step by step."""

    def __init__(self):
        self._chunks: list[str] = []

    def write(self, text: str) -> None:
        self._chunks.append(text)

    def flush(self) -> None:
        pass

    def take(self) -> str:
        text, self._chunks = "".join(self._chunks), []
        return text


def replay_in_process(path: Path, data_dir: Path, idle_timeout: float = 120.0) -> None:
    """Replay a transcript through the console core against a real local network."""
    from aosrepl.console.session import ConsoleSession
    from aosrepl.network import Network

    steps = parse(path)
    name = steps[0].prompt.split("@", 1)[0]
    net = Network(data_dir, deterministic=True)     # fixed clock and ids: the model is seeded the same way
    try:
        pid = net.find_or_spawn(name)
        net.run_until_idle(timeout=idle_timeout)
        out = Capture()
        session = ConsoleSession(net, pid, out)
        net.subscribe(pid, session.on_result)
        session.connect()       # as the console does at start-up: the first prompt comes from the process
        out.take()
        for step in steps:
            shown = plain(session.prompt, pid)
            if step.prompt is not None and shown != step.prompt:
                raise mismatch(path, step, "prompt differs", [step.prompt], [shown])
            session.submit(step.input)
            net.run_until_idle(timeout=idle_timeout)
            actual = plain(out.take(), pid).split("\n")
            if not match_block(step.expected, actual):
                raise mismatch(path, step, "output differs", _trim(step.expected), _trim(actual))
    finally:
        net.close()


# ----- the real `aos` binary in a pty ------------------------------------------------------------------
TERMINAL_CODES = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][A-Z0-9]|[=>])")
PROMPT_LINE = r"\S+@aos-[\w.]+\[Inbox:\d+\]> "


class PtyScreen:
    """What the console wrote to its terminal, as plain text (terminal codes and carriage returns removed),
    with a read position that only moves forward: each expected piece must come after the one before."""

    def __init__(self, child, timeout: float):
        self.child, self.timeout, self.raw, self.pos = child, timeout, "", 0

    @property
    def text(self) -> str:
        return FUNCTION_ADDRESS.sub("function: 0x…", TERMINAL_CODES.sub("", self.raw).replace("\r", ""))

    def read_more(self) -> bool:
        """Reads what the console wrote since; False once it has closed its terminal."""
        import pexpect
        try:
            self.raw += self.child.read_nonblocking(65536, timeout=0.2)
        except pexpect.TIMEOUT:
            pass
        except pexpect.EOF:
            return False
        return True

    def wait(self, pattern: re.Pattern, what: str) -> re.Match:
        import time
        deadline = time.monotonic() + self.timeout
        while True:
            match = pattern.search(self.text, self.pos)
            if match:
                self.pos = match.end()
                return match
            if time.monotonic() > deadline or not self.read_more():
                tail = self.text[max(0, self.pos - 400):]
                raise TranscriptMismatch(f"the console never showed {what}; it showed after the last match:\n{tail}")

    def wait_text(self, text: str) -> None:
        self.wait(re.compile(re.escape(text)), repr(text))

    def wait_all(self, texts: list[str], what: str) -> None:
        """Every text, in any order, after the current position."""
        start, end = self.pos, self.pos
        for text in texts:
            self.pos = start
            end = max(end, self.wait(re.compile(re.escape(text)), f"{text!r} of {what}").end())
        self.pos = end


NOISE = re.compile(r"[\u2800-\u28ff]*(?:network|busy)?[\u2800-\u28ff]*")     # the console's busy spinner


def _model_literal(shape: str) -> re.Pattern | None:
    """The literal start of any of a model line's shapes, or None when generated text has no fixed start."""
    starts = []
    for alternative in shape.split(" || "):
        literal = re.split(r'<model text>|"', alternative, maxsplit=1)[0]
        if not literal.strip():
            return None
        starts.append(re.escape(literal))
    return re.compile("|".join(starts))


def wait_for_model_text(screen: "PtyScreen", shape: str) -> None:
    """Model text shows up where the screen gets a word that is neither a prompt nor the busy spinner."""
    literal = _model_literal(shape)
    if literal is not None:
        screen.wait(literal, f"model text ({shape})")
        return
    import time
    deadline = time.monotonic() + screen.timeout
    while time.monotonic() < deadline:
        text = screen.text
        prompts = [m.span() for m in re.finditer(PROMPT_LINE.rstrip() , text)]
        for word in re.finditer(r"\S+", text[screen.pos:]):
            start = screen.pos + word.start()
            if NOISE.fullmatch(word.group()) or any(a <= start < b for a, b in prompts):
                continue
            screen.pos = screen.pos + word.end()
            return
        if not screen.read_more():
            break
    raise TranscriptMismatch(f"the console never showed model text ({shape})")


def replay_in_pty(path: Path, data_dir: Path, timeout: float = 180.0) -> None:
    """Replay a transcript by typing it into the real `aos` console in a pty (pexpect). The screen is checked
    piece by piece: every prompt, every expected line in order (a table's lines in any order), and the start
    of model text (its shape is checked by the in-process replay)."""
    import os
    import sys
    import pexpect

    steps = parse(path)
    name = steps[0].prompt.split("@", 1)[0]
    env = dict(os.environ, NO_COLOR="1", TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
    env.pop("AOSREPL_HOME", None)
    child = pexpect.spawn(sys.executable, ["-m", "aosrepl", name, "--data-dir", str(data_dir)], env=env,
                          encoding="utf-8", timeout=timeout, dimensions=(50, 200))
    screen = PtyScreen(child, timeout)
    try:
        pid = screen.wait(re.compile(r"Your AOS process:\s+([A-Za-z0-9_-]{43})"), "the process id").group(1)
        for step in steps:
            if step.prompt is not None:
                screen.wait_text(step.prompt.rstrip())     # the terminal shows no trailing space
            child.sendline(step.input)
            screen.wait_text(step.input)
            expected = [line[: -len(ADDED)] if line.endswith(ADDED) else line for line in _trim(step.expected)]
            expected = [plain(line).replace("<PID>", pid) for line in expected]
            index = 0
            while index < len(expected):
                line = expected[index]
                end = _table_end(expected, index) if line == "{" else None
                if end is not None:
                    screen.wait_text("{")
                    screen.wait_all([x.rstrip(",") for x in expected[index + 1:end]], f"the table at {path.name}:{step.line}")
                    screen.wait(re.compile(r"(?m)^\}"), "the table's end")
                    index = end + 1
                    continue
                if line.endswith(MODEL):
                    wait_for_model_text(screen, line[: -len(MODEL)])
                elif line.strip():
                    screen.wait_text(line)
                index += 1
        child.sendline(".exit")
        screen.wait_text("Exiting...")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
