"""Genesis: services with fixed ids booted once per data dir, workers fresh at every start."""
import pytest

from aosrepl import ids, services
from aosrepl.network import Network
from aosrepl.network import genesis

WAR = """
Minted = Minted or {}
function GenesisMint(account, quantity) table.insert(Minted, account .. "=" .. quantity) end
"""
HERDER = """
Registered = Registered or {}
function RegisterWorkers(list) Registered = list end
"""
WORKER = """
Booted = (Booted or 0) + 1
HasLlama = pcall(require, "llama")
"""

@pytest.fixture
def fake_services(tmp_path, monkeypatch):
    """Service specs pointing at small Lua files of this test (the real ones belong to other modules)."""
    root = tmp_path / "services"
    root.mkdir()
    files = {"war": WAR, "herder": HERDER, "worker": WORKER}
    for name, text in files.items():
        (root / f"{name}.lua").write_text(text)
    core = [services.ServiceSpec(ids.WAR_TOKEN, "Wrapped AR", root / "war.lua"),
            services.ServiceSpec(ids.APM_REGISTRY, "APM Registry", root / "registry.lua"),   # missing file
            services.ServiceSpec(ids.LLAMA_HERDER, "Llama-Herder", root / "herder.lua")]
    monkeypatch.setattr(services, "core_services", lambda: core)
    monkeypatch.setattr(services, "worker_services", lambda n: [
        services.ServiceSpec(services.worker_id(i), f"Llama-Worker-{i + 1}", root / "worker.lua",
                             ephemeral=True, natives=("llama",)) for i in range(n)])
    published = []
    monkeypatch.setattr(genesis, "_publish_packages", lambda net: published.append(net))
    return root

def owner_eval(net, pid, code):
    result = net.eval(pid, code, signer=services.SERVICE_OWNER)
    assert "Error" not in result, result
    return result["Output"].get("data", "")

def test_genesis_boots_services_mints_and_registers_workers(tmp_path, fake_services):
    natives = {"llama": lambda bridge: bridge.make_module({"ping": lambda: "pong"})}
    with Network(tmp_path / "data", natives=natives, workers=2, deterministic=True) as net:
        assert net.run_until_idle(30)
        kinds = {p.id: p.kind for p in net.processes()}
        worker_ids = [services.worker_id(0), services.worker_id(1)]
        assert kinds == {ids.WAR_TOKEN: "service", ids.LLAMA_HERDER: "service",
                         worker_ids[0]: "worker", worker_ids[1]: "worker"}
        assert all(p.owner == services.SERVICE_OWNER for p in net.processes())
        assert owner_eval(net, ids.WAR_TOKEN, "Minted[1]") == f"{net.wallet.address}=1000000000000000"
        assert owner_eval(net, ids.LLAMA_HERDER, "table.concat(Registered, ',')") == ",".join(worker_ids)
        assert owner_eval(net, worker_ids[0], "HasLlama") == "true"
        assert owner_eval(net, ids.WAR_TOKEN, "Name") == "Wrapped AR"
        assert net.notices == []

def test_restart_keeps_services_and_refreshes_workers(tmp_path, fake_services):
    data = tmp_path / "data"
    worker = services.worker_id(0)
    with Network(data, workers=1, deterministic=True) as net:
        owner_eval(net, ids.WAR_TOKEN, "Kept = 'yes'")
        owner_eval(net, worker, "Scratch = 'old'")
        assert owner_eval(net, worker, "Booted") == "1"
    with Network(data, workers=1, deterministic=True) as net:
        assert owner_eval(net, ids.WAR_TOKEN, "Kept") == "yes"
        assert owner_eval(net, ids.WAR_TOKEN, "#Minted") == "1"       # minted once, at genesis only
        assert owner_eval(net, worker, "Booted") == "1"               # a fresh worker...
        assert owner_eval(net, worker, "Scratch == nil") == "true"    # ...without its old state
        assert owner_eval(net, ids.LLAMA_HERDER, "#Registered") == "1"

def test_a_service_whose_file_appears_later_is_booted_then(tmp_path, fake_services):
    data = tmp_path / "data"
    with Network(data, workers=0, deterministic=True) as net:
        assert ids.APM_REGISTRY not in {p.id for p in net.processes()}
    (fake_services / "registry.lua").write_text("Registry = true")
    with Network(data, workers=0, deterministic=True) as net:
        assert owner_eval(net, ids.APM_REGISTRY, "Registry") == "true"

def test_a_failing_service_file_is_reported_not_fatal(tmp_path, fake_services):
    (fake_services / "herder.lua").write_text("error('herder is broken')")
    with Network(tmp_path / "data", workers=1, deterministic=True) as net:
        assert net.run_until_idle(30)
        assert any("herder is broken" in line for line in net.notices)
        assert owner_eval(net, ids.WAR_TOKEN, "#Minted") == "1"

def test_workers_without_inference_still_boot(tmp_path, fake_services, monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_inference(name, *args, **kwargs):
        if name == "aosrepl.inference":
            raise ImportError("no inference here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_inference)
    with Network(tmp_path / "data", workers=1, deterministic=True) as net:
        assert owner_eval(net, services.worker_id(0), "tostring(HasLlama)") == "false"
        assert any("Inference is not available" in line for line in net.notices)

def test_a_worker_message_cut_off_by_close_is_redelivered_to_the_fresh_worker(tmp_path, fake_services,
                                                                              monkeypatch):
    import threading
    from aosrepl.network import network as network_module
    monkeypatch.setattr(network_module, "CLOSE_WAIT_SECONDS", 0.01)   # close without waiting for the handler
    gate, entered = threading.Event(), threading.Event()

    def work():
        entered.set()
        gate.wait(30)
        return "done"

    natives = {"llama": lambda bridge: bridge.make_module({"work": work})}
    (fake_services / "worker.lua").write_text(
        WORKER + "Handlers.add('work', 'Work', function() Worked = require('llama').work() end)")
    data = tmp_path / "data"
    worker = services.worker_id(0)
    net = Network(data, natives=natives, workers=1, deterministic=True)
    net.send(worker, {"Action": "Work"}, signer=services.SERVICE_OWNER)
    assert entered.wait(30)
    net.close()            # the Work message is still being handled: it stays pending in the log
    gate.set()
    with Network(data, natives=natives, workers=1, deterministic=True) as net:
        assert net.run_until_idle(30)
        assert owner_eval(net, worker, "Worked") == "done"
        assert owner_eval(net, worker, "Booted") == "1"

def herder_messages(net) -> int:
    return len(net.log.history(ids.LLAMA_HERDER, 0))

def test_a_start_registers_the_workers_again_only_when_the_herder_may_have_changed(tmp_path, fake_services):
    """The herder's history must not grow with every start (loading it replays that history): an unchanged
    registration is not sent again. It is, once the herder has received anything or the workers changed."""
    data = tmp_path / "data"
    with Network(data, workers=1, deterministic=True) as net:
        assert net.run_until_idle(30)
        registered = herder_messages(net)      # its spawn, its source and the registration
    assert registered == 3
    for _ in range(3):                       # nothing reached the herder: no new registration
        with Network(data, workers=1, deterministic=True) as net:
            assert net.run_until_idle(30)
            assert herder_messages(net) == registered
            assert net.notices == []
    with Network(data, workers=1, deterministic=True) as net:   # the herder hears of something...
        owner_eval(net, ids.LLAMA_HERDER, "Registered = {}")
    with Network(data, workers=1, deterministic=True) as net:   # ...so the next start registers again
        assert net.run_until_idle(30)
        assert owner_eval(net, ids.LLAMA_HERDER, "table.concat(Registered, ',')") == services.worker_id(0)
    with Network(data, workers=2, deterministic=True) as net:   # other workers: registered
        assert net.run_until_idle(30)
        assert owner_eval(net, ids.LLAMA_HERDER, "#Registered") == "2"

def test_a_worker_start_checks_only_the_current_generation_of_its_log(tmp_path, fake_services):
    """A worker is started fresh at every start, its earlier runs retired: the chain check before it loads
    reads its current run only (reading all of them made every start slower than the one before), and
    damage in a retired run is no concern of it."""
    import sqlite3
    data = tmp_path / "data"
    worker = services.worker_id(0)
    for _ in range(4):
        with Network(data, workers=1, deterministic=True) as net:
            assert owner_eval(net, worker, "Booted") == "1"     # used: the next start restarts it
    conn = sqlite3.connect(str(data / "aosrepl.db"))
    conn.execute("UPDATE deliveries SET hash_chain = ? WHERE process = ? AND nonce = 2", ("x" * 43, worker))
    conn.commit()
    conn.close()
    with Network(data, workers=1, deterministic=True) as net:
        assert net.run_until_idle(30)
        assert owner_eval(net, worker, "Booted") == "1"
        assert not any("damaged" in n for n in net.notices), net.notices
        generation = net._table.get(worker).record.generation
        chain = list(net.log.delivery_chain(worker, generation))
        current = [row for row in net.log.delivery_chain(worker) if row[0] > chain[0][0]]
        assert len(chain) == len(current) + 1 and len(current) >= 2     # the link before, then this run's
        assert len(list(net.log.delivery_chain(worker))) > 4 * 2         # all runs are still in the log

def test_a_restarted_worker_is_built_only_once_it_has_work(tmp_path, fake_services):
    """A start builds no worker's Lua state before a message reaches it: its boot (spawn message, Lua file) is
    logged and held, then queued ahead of its first message, and runs once."""
    data = tmp_path / "data"
    worker = services.worker_id(0)
    with Network(data, workers=1, deterministic=True) as net:
        assert owner_eval(net, worker, "Booted") == "1"
    for _ in range(2):
        with Network(data, workers=1, deterministic=True) as net:
            assert net.run_until_idle(30)
            assert net._table.get(worker).lua is None          # nothing reached it: not built
    with Network(data, workers=1, deterministic=True) as net:
        assert net.run_until_idle(30)
        assert owner_eval(net, worker, "Booted") == "1"       # booted first, once: no earlier run's boot again
        assert owner_eval(net, worker, "HasLlama") == "true"
        assert net.notices == []

def test_starts_that_do_not_use_a_worker_write_nothing_for_it(tmp_path, fake_services):
    """A run that never used its worker leaves that worker's boot unhandled: the next start keeps that run (the
    boot held again) instead of logging a new one, unless the worker's Lua file changed. Then the fresh run gets
    the new file only: the earlier run's unhandled boot is not replayed into it (it would count a second boot)."""
    import sqlite3
    data = tmp_path / "data"
    worker = services.worker_id(0)

    def worker_messages():
        conn = sqlite3.connect(str(data / "aosrepl.db"))
        try:
            return conn.execute("SELECT COUNT(*) FROM deliveries WHERE process = ?", (worker,)).fetchone()[0]
        finally:
            conn.close()

    with Network(data, workers=1, deterministic=True) as net:
        assert owner_eval(net, worker, "Booted") == "1"       # used: the next start restarts it
    with Network(data, workers=1, deterministic=True) as net:
        assert net.run_until_idle(30)
    logged = worker_messages()
    for _ in range(3):
        with Network(data, workers=1, deterministic=True) as net:
            assert net.run_until_idle(30)
        assert worker_messages() == logged
    with Network(data, workers=1, deterministic=True) as net:
        assert owner_eval(net, worker, "Booted") == "1"       # the kept boot runs once, first
    (fake_services / "worker.lua").write_text(WORKER + "Version = 2")
    with Network(data, workers=1, deterministic=True) as net:   # a changed file: a fresh run with it
        assert net.run_until_idle(30)
    with Network(data, workers=1, deterministic=True) as net:
        assert owner_eval(net, worker, "Version") == "2"
        assert owner_eval(net, worker, "Booted") == "1"
