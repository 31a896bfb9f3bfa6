"""Console commands about the local network itself, which aos does not have: `.fund` (wAR from the local
wallet), `.ps` (the network's processes), `.watch`/`.unwatch` (another process's output, live)."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Callable

from aosrepl import ids, modules
from aosrepl.console.display import blue, gray, green, red
from aosrepl.network.errors import NetworkTimeout

if TYPE_CHECKING:
    from aosrepl.console.session import ConsoleSession

BAD_AMOUNT = "ERROR: .fund requires an amount of wAR, e.g. .fund 0.001 (a positive number, at most 12 decimals)"
WAR_DECIMALS = 12
_AMOUNT = re.compile(r"^(\d+(\.\d*)?|\.\d+)$")
FUND_TIMEOUT = 120.0      # seconds wAR may take to answer (unless the session has its own --timeout)


def war_base_units(amount: str) -> int:
    """'0.001' -> 1000000000 (wAR has 12 decimals). ValueError for anything that is not a positive amount."""
    text = (amount or "").strip()
    if not _AMOUNT.match(text):
        raise ValueError(BAD_AMOUNT)
    try:
        value = Decimal(text) * (10 ** WAR_DECIMALS)
    except InvalidOperation:
        raise ValueError(BAD_AMOUNT) from None
    if value <= 0 or value != value.to_integral_value():
        raise ValueError(BAD_AMOUNT)
    return int(value)


def war_amount(units: int) -> str:
    """1000000000000000 -> '1000'; 1500000000000 -> '1.5'."""
    return format((Decimal(units) / (10 ** WAR_DECIMALS)).normalize(), "f")


def _tags(message: dict) -> dict:
    tags = message.get("Tags") if isinstance(message, dict) else None
    return {t.get("name"): t.get("value") for t in tags if isinstance(t, dict)} if isinstance(tags, list) else {}


def transfer_refusal(answer: dict) -> str | None:
    """Why wAR refused a Transfer, from its result: None when it sent the Debit-Notice."""
    if not isinstance(answer, dict):
        return "no answer"
    if answer.get("Error") is not None:
        return str(answer["Error"]).strip()
    actions = {}
    for message in answer.get("Messages") or []:
        tags = _tags(message)
        actions.setdefault(tags.get("Action"), tags)
    if "Debit-Notice" in actions:
        return None
    if "Transfer-Error" in actions:
        return actions["Transfer-Error"].get("Error") or "Transfer-Error"
    return "wAR answered neither a Debit-Notice nor a Transfer-Error"


class NetworkCommands:
    def __init__(self, session: "ConsoleSession"):
        self.s = session
        self.watched: dict[str, str] = {}        # pid -> name, processes whose output we show
        self._unsubscribe: dict[str, Callable] = {}

    def fund(self, amount: str) -> bool:
        """Transfer wAR from the wallet and say what wAR answered: its Debit-Notice (sent) or its
        Transfer-Error (refused, with the reason and the wallet's balance)."""
        try:
            units = war_base_units(amount)
        except ValueError as exc:
            self.s.say(red(str(exc)))
            return False
        net = self.s.net
        timeout = self.s.eval_timeout or FUND_TIMEOUT
        with self.s.live_held():      # the verdict first, then the Credit-Notice it caused
            try:
                mid = net.send(ids.WAR_TOKEN, tags={"Action": "Transfer", "Recipient": self.s.pid,
                                                    "Quantity": str(units)})
                answer = net.wait_result(ids.WAR_TOKEN, mid, timeout=timeout)
            except NetworkTimeout:
                self.s.say(red(f"ERROR: wAR has not answered the transfer of {amount} wAR within "
                               f"{timeout:g} s; it stays queued (see your Inbox for its Credit-Notice)."))
                return False
            except Exception as exc:
                self.s.say(red(f"ERROR: could not send the transfer: {exc}"))
                return False
            refusal = transfer_refusal(answer)
            if refusal is None:
                self.s.say(green(f"Sent {amount} wAR ({units} units) from your wallet to {self.s.pid}"))
                return True
            self.s.say(red(f"ERROR: wAR refused the transfer of {amount} wAR: {refusal}{self._balance_note()}"))
            return False

    def _balance_note(self) -> str:
        """' (your wallet holds N wAR)', asked from wAR; empty when it cannot tell."""
        net = self.s.net
        try:
            mid = net.send(ids.WAR_TOKEN, tags={"Action": "Balance"})
            answer = net.wait_result(ids.WAR_TOKEN, mid, timeout=self.s.eval_timeout or FUND_TIMEOUT)
        except Exception:
            return ""
        for message in answer.get("Messages") or []:
            balance = _tags(message).get("Balance")
            if balance is not None and balance.isdigit():
                return f" (your wallet holds {war_amount(int(balance))} wAR)"
        return ""

    def _processes(self) -> list:
        return list(self.s.net.processes())

    def ps(self) -> bool:
        rows = self._processes()
        width = max([len(p.name or "") for p in rows] + [4])
        for p in rows:
            mark = "*" if p.id == self.s.pid else " "
            self.s.say(f"{mark} {(p.name or '-').ljust(width)}  {green(p.id)}  {gray(str(p.kind or ''))}"
                       f"  {gray(modules.display_name(p.module))}")
        return True

    def _resolve(self, key: str):
        rows = self._processes()
        for p in rows:
            if p.id == key:
                return p
        matches = [p for p in rows if (p.name or "").lower() == key.lower()]
        return matches[0] if matches else None

    def watch(self, key: str) -> bool:
        if not key:
            self.s.say(red("ERROR: .watch requires a process name or id (see .ps)"))
            return False
        target = self._resolve(key)
        if target is None:
            self.s.say(red(f"ERROR: no process named or with the id {key!r} (see .ps)"))
            return False
        if target.id == self.s.pid:
            self.s.say(gray("That is this console's own process: its output is always shown."))
            return True
        if target.id not in self.watched:
            self._unsubscribe[target.id] = self.s.net.subscribe(target.id, self.s.on_result)
        self.watched[target.id] = target.name or target.id
        self.s.say(green("Watching: ") + blue(target.id) + gray(f" ({self.watched[target.id]})"))
        return True

    def unwatch(self, key: str) -> bool:
        if not key:
            for pid in list(self.watched):
                self._stop_watching(pid)
            self.s.say(gray("Stopped watching all processes."))
            return True
        target = self._resolve(key)
        if target is None or target.id not in self.watched:
            self.s.say(red(f"ERROR: not watching {key!r}"))
            return False
        self.s.say(gray(f"Stopped watching {self._stop_watching(target.id)}."))
        return True

    def _stop_watching(self, pid: str) -> str:
        unsubscribe = self._unsubscribe.pop(pid, None)
        if callable(unsubscribe):
            unsubscribe()
        return self.watched.pop(pid)

    def show_watched(self, pid: str, result: dict):
        name = self.watched.get(pid)
        if name is None:
            return
        output = result.get("Output")
        data = output.get("data") if isinstance(output, dict) else result.get("Error")
        if not data:
            return
        label = gray(f"[{name}] ")
        self.s.say("\n".join(label + line for line in str(data).split("\n")))
