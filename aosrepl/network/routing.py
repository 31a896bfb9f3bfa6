"""Routing: a message or a handled message's outbox -> the log -> the processes it is for.

Everything here runs inside a log transaction (callers hold `log.lock`), so scheduling numbers (Nonce,
Hash-Chain) and queue order always agree with what was committed.
"""
from __future__ import annotations

import contextlib

from aosrepl import ids, modules
from aosrepl.clock import block_height_at
from aosrepl.network.errors import NetworkError
from aosrepl.network.messages import (WALLET_MESSAGE_TAGS, action_of, data_text, lua_tostring, next_hash_chain,
                                      normalize_tags, tag_value, tags_from_lua, with_default_tags)
from aosrepl.network.slots import ProcessRecord, Slot


class Routing:
    """Mixed into Network: turning requests and outboxes into logged, scheduled messages."""

    _undo: list | None = None

    @contextlib.contextmanager
    def _transaction(self):
        """A log transaction whose effects in memory (new processes, scheduling counters, known wallets) are
        undone if it rolls back, so memory always matches the log. Callers hold the log lock."""
        outer = self._undo is None
        if outer:
            self._undo = []
        try:
            with self.log.transaction():
                yield
        except BaseException:
            if outer:
                for undo in reversed(self._undo):
                    undo()
            raise
        finally:
            if outer:
                self._undo = None

    def _remember(self, undo) -> None:
        if self._undo is not None:
            self._undo.append(undo)

    def _fresh_id(self, wanted: str | None) -> str:
        if wanted is None:
            return self._ids.new()
        if not isinstance(wanted, str) or not ids.is_id(wanted):
            raise ValueError(f"an id must be 43 base64url characters, not {wanted!r}")
        if self.log.message_exists(wanted):
            raise NetworkError(f"a message with id {wanted} already exists")
        return wanted

    def _derived_id(self, *parts) -> str:
        """Ids of messages made by processes: random, or in deterministic mode derived from what caused them
        (so thread timing cannot change them)."""
        if not self.deterministic:
            return self._ids.new()
        mid = ids.derived("aosrepl-det", *map(str, self._seed), *map(str, parts))
        if self.log.message_exists(mid):   # the same message handled twice (assignments): disambiguate
            mid = ids.derived(mid, str(self._ids.new()))
        return mid

    def _stamp(self, mid, sender, owner, target, tags, data, anchor=None, cron_flag=False, timestamp=None) -> dict:
        ts = self.clock.now_ms() if timestamp is None else int(timestamp)
        return {"Id": mid, "From": sender, "Owner": owner, "Target": target, "Anchor": anchor, "Data": data,
                "Tags": tags, "Timestamp": ts, "Block-Height": block_height_at(ts), "Cron": cron_flag}

    @staticmethod
    def _delivered(body: dict, nonce: int, link: str, rec: ProcessRecord) -> dict:
        msg = dict(body)
        msg["Nonce"] = nonce
        msg["Hash-Chain"] = link
        msg["Epoch"] = 0
        msg["Module"] = rec.module
        return msg

    def _known_wallet(self, address: str) -> None:
        if address not in self._wallets and address not in self._slots:
            self._wallets.add(address)
            self._remember(lambda: self._wallets.discard(address))
            self.log.add_wallet(address)

    def _add_process(self, rec: ProcessRecord) -> Slot:
        self.log.insert_process(rec)
        slot = Slot(rec)
        self._slots[rec.id] = slot
        self._remember(lambda: self._slots.pop(rec.id, None))
        return slot

    def _accept(self, body: dict) -> list:
        """Inside a transaction: log `body` and decide where it goes. Returns the deliveries to dispatch."""
        seq = self.log.insert_message(body, action_of(body))
        target = body.get("Target")
        slot = self._slots.get(target) if isinstance(target, str) else None
        if slot is not None:
            return [self._schedule(slot, seq, body)]
        if target in self._wallets:
            self.log.add_mail(seq, target, "wallet")
        elif target is not None:
            self.log.add_mail(seq, str(target), "unknown")
            self._notice(f"Message {body['Id']} (Action = {action_of(body) or '-'}) from {body.get('From')} "
                         f"is for {target}, which is not a process on this network: it is kept in the log.")
        return []

    def _schedule(self, slot: Slot, seq: int, body: dict):
        nonce = slot.last_nonce + 1
        link = next_hash_chain(slot.last_hash, body["Id"])
        self.log.add_delivery(slot.record.id, nonce, seq, slot.record.generation, link)
        before = (slot.last_nonce, slot.last_hash)

        def undo():
            slot.last_nonce, slot.last_hash = before

        self._remember(undo)
        slot.last_nonce, slot.last_hash = nonce, link
        return slot, nonce, self._delivered(body, nonce, link, slot.record)

    def _dispatch(self, deliveries) -> None:
        """After the commit (still under the log lock, so queues follow nonce order): queue for handling."""
        for slot, nonce, msg in deliveries:
            if not slot.available:
                continue   # stays pending in the log
            with self._idle:
                self._outstanding += 1
            self._scheduler.enqueue(slot, nonce, msg)

    def _route(self, slot: Slot, message: dict, result: dict) -> list:
        """Inside the transaction that marks `message` handled: log and route the result's outbox."""
        rec = slot.record
        pid = rec.id
        deliveries = []
        parts = (pid, rec.generation, message["Id"])
        for i, out in enumerate(_as_list(result.get("Messages"))):
            if not isinstance(out, dict):
                continue
            tags = _vouched(tags_from_lua(out.get("Tags")), pid, rec.module)
            target = out.get("Target")
            target = lua_tostring(target) if target is not None else None
            body = self._stamp(self._derived_id(*parts, "m", i), pid, ids.MU_AUTHORITY, target, tags,
                               data_text(out.get("Data")), anchor=_anchor(out))
            if self._refused(rec, f"A message to {target}", self._limits.refuse_size(body)
                             or self._limits.refuse_message(pid)):
                continue
            deliveries += self._accept(body)
        for i, spawn in enumerate(_as_list(result.get("Spawns"))):
            if isinstance(spawn, dict):
                if self._refused(rec, "A spawn", self._limits.refuse_size(spawn) or self._limits.refuse_spawn(pid)):
                    continue
                deliveries += self._spawn_child(slot, spawn, self._derived_id(*parts, "s", i),
                                                self._derived_id(*parts, "n", i))
        for assignment in _as_list(result.get("Assignments")):
            if isinstance(assignment, dict):
                deliveries += self._assign(pid, assignment)
        return deliveries

    def _refused(self, rec: ProcessRecord, what: str, why: str | None) -> bool:
        """Report an outbox entry the growth limits refuse (True: it is dropped)."""
        if why is None:
            return False
        self._notice(f"{what} from {rec.name or rec.id} was not sent: {why}.")
        return True

    def _spawn_child(self, parent: Slot, spawn: dict, child_id: str, notice_id: str) -> list:
        prec = parent.record
        tags = _vouched(tags_from_lua(spawn.get("Tags")), prec.id, prec.module)
        # The local MU vouches for process-to-process traffic: a child trusts it like a console-spawned process.
        process_tags = tags if tag_value(tags, "Authority") else tags + [{"name": "Authority",
                                                                           "value": ids.MU_AUTHORITY}]
        module = tag_value(tags, "Module") or prec.module
        if modules.lookup(module) is None:
            self._notice(f"{prec.name or prec.id} asked to spawn a process with module {module}, which this "
                         f"network does not have: nothing was spawned. Modules here: {modules.known_list()}.")
            return []
        now = self.clock.now_ms()
        rec = ProcessRecord(child_id, tag_value(tags, "Name"), prec.id, module, "user", process_tags, (), False,
                            now, 0)
        self._add_process(rec)
        body = self._stamp(child_id, prec.id, ids.MU_AUTHORITY, child_id, process_tags,
                           data_text(spawn.get("Data")), anchor=_anchor(spawn), timestamp=now)
        deliveries = self._accept(body)
        notice_tags = [{"name": n, "value": v} for n, v in (
            ("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Message"), ("Action", "Spawned"),
            ("Process", child_id), ("Reference", tag_value(tags, "Reference")),
            ("From-Process", prec.id), ("From-Module", prec.module)) if v is not None]
        notice = self._stamp(notice_id, prec.id, ids.MU_AUTHORITY, prec.id, notice_tags, "", timestamp=now)
        return deliveries + self._accept(notice)

    def _assign(self, sender: str, assignment: dict) -> list:
        mid = assignment.get("Message")
        found = self.log.get_message(mid) if isinstance(mid, str) else None
        if found is None:
            self._notice(f"Assignment from {sender} names the message {mid}, which is not in the log: ignored.")
            return []
        seq, body = found
        deliveries = []
        for pid in _as_list(assignment.get("Processes")):
            slot = self._slots.get(pid) if isinstance(pid, str) else None
            if slot is None:
                self._notice(f"Assignment from {sender} of message {mid} to {pid}, "
                             f"which is not a process on this network: ignored.")
                continue
            # As AO's scheduler does: a process never receives the same message twice from another process
            # (re-assigning a Transfer would spend it again). A process may assign a message to itself again:
            # it replays into its own state only (APM re-installs a version by assigning its publish message).
            if pid != sender and self.log.delivered_to(pid, mid):
                self._notice(f"Assignment from {sender} of message {mid} to {slot.record.name or pid} refused: "
                             f"that process has received it already.")
                continue
            deliveries.append(self._schedule(slot, seq, body))
        return deliveries

    def _respawn_ephemeral(self, spec, source: str, owner: str) -> None:
        """Start an ephemeral service (a worker) fresh: its earlier run is retired (never replayed: inference is
        not re-run), it gets its spawn message and its Lua file again, then the messages it had not handled."""
        slot = self._slots.get(spec.id)
        boot_id = self._ids.new()
        self._watched.add(boot_id)
        if slot is None:
            self.spawn(spec.name, tags=list(spec.tags), process_id=spec.id, owner=owner, kind="worker",
                       natives=spec.natives, ephemeral=True, module=getattr(spec, "module", ids.AOS_MODULE_ID))
            self.send(spec.id, {"Action": "Eval"}, source, signer=owner, msg_id=boot_id)
            return
        rec = slot.record
        with self._locked():
            with self._transaction():
                pending = self.log.retire(rec.id)
                before = (rec.generation, rec.created_ms)

                def undo():
                    rec.generation, rec.created_ms = before

                self._remember(undo)
                rec.generation += 1
                rec.created_ms = self.clock.now_ms()
                self.log.set_generation(rec.id, rec.generation, rec.created_ms)
                slot.lua, slot.broken, slot.available = None, None, True
                deliveries = self._accept(self._stamp(rec.id, rec.owner, rec.owner, rec.id, rec.tags, "",
                                                      timestamp=rec.created_ms))
                tags = with_default_tags(normalize_tags({"Action": "Eval"}), WALLET_MESSAGE_TAGS)
                deliveries += self._accept(self._stamp(boot_id, owner, owner, rec.id, tags, source))
                for seq in pending:
                    deliveries.append(self._schedule(slot, seq, self.log.body_by_seq(seq)))
            self._dispatch(deliveries)


def _vouched(tags: list, pid: str, module: str) -> list:
    """The MU's sender tags, set by the network: a process cannot claim to be another one."""
    kept = [t for t in tags if t["name"] not in ("From-Process", "From-Module")]
    return kept + [{"name": "From-Process", "value": pid}, {"name": "From-Module", "value": module}]


def _as_list(value) -> list:
    """Outbox fields as lists (a Lua table may come across as a dict keyed 1..n)."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [value[k] for k in sorted(value, key=lambda k: (not isinstance(k, int), str(k) if not
                                                                 isinstance(k, int) else k))]
    if isinstance(value, (list, tuple)):
        return list(value)
    return []


def _anchor(out: dict):
    anchor = out.get("Anchor")
    return None if anchor is None else lua_tostring(anchor)
