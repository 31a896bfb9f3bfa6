"""A herd of one's own: a user spawns a worker with the aos-llama module, runs our herder's Lua in a user
process with that worker in its Herd, points a Llama-Herder client at it, and Llama.run through that private
herd returns generated text. The user's worker uses the same loaded model object as the herd's own worker."""
from __future__ import annotations

import time

import pytest

from aosrepl import ids
from aosrepl.inference import shared_models
from aosrepl.network import Network
from aosrepl.services import HERE as SERVICES_DIR, SERVICE_OWNER, worker_id
from tests.inference.herd import TIMEOUT, new_client, output


@pytest.fixture()
def pool(monkeypatch):
    """A fresh model pool, so what this test loads is all it holds."""
    fresh = shared_models.SharedModels()
    monkeypatch.setattr(shared_models, "SHARED_MODELS", fresh)
    return fresh


def test_llama_run_through_a_private_herd(tmp_path, model_path, pool):
    with Network(tmp_path / "data", workers=1, deterministic=True) as net:
        assert net.run_until_idle(TIMEOUT)
        herder = net.spawn("my-herder")
        worker = net.spawn("my-worker", module=ids.AOS_LLAMA_MODULE_ID)
        output(net.eval(worker, f'RouterID = "{herder}"'))
        assert output(net.eval(worker, (SERVICES_DIR / "worker.lua").read_text())) \
            == f"Model {ids.PHI3_MODEL} selected"
        assert output(net.eval(herder, (SERVICES_DIR / "herder.lua").read_text())) == "Llama-Herder 0.2 ready"
        assert output(net.eval(herder, f'return RegisterWorkers({{"{worker}"}})')) == "Registered 1 workers"

        client, printed = new_client(net, "my-client")
        output(net.eval(client, f'Llama.herder = "{herder}"'))
        started = time.monotonic()
        output(net.eval(client, 'Llama.run("Once upon a time, a llama", 12, function(text) REPLY = text end)'))
        assert net.run_until_idle(TIMEOUT)
        seconds = time.monotonic() - started
        reply = output(net.eval(client, "return tostring(REPLY)"))
        assert reply != "nil" and reply.strip(), f"no answer from the private herd after {seconds:.1f}s"
        # the work went through the private herd, not the network's own herder
        assert net.log.query(process=herder, action="Inference-Response")
        assert not net.log.query(process=ids.LLAMA_HERDER, action="Credit-Notice")
        print(f"private herd answered in {seconds:.2f}s: {reply!r}")

        # the herd's own worker uses its model too: still one model object, now used by two contexts
        herd_worker = worker_id(0)
        output(net.eval(herd_worker, 'Llama.setPrompt("Hello"); return Llama.run(1)', signer=SERVICE_OWNER))
        assert pool.loaded() == [(str(model_path), 2)]
