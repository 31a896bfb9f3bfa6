"""The first Llama.run of a console session used to wait for all of the model's loading (llama_cpp's import,
the weights, the first decode paging them in): the interactive console now warms the model up in the
background when it opens, and the workers' engines find the shared weights already loaded."""
import argparse

import pytest

from aosrepl import cli
from aosrepl.console import app as console_app
from aosrepl.console import display
from aosrepl.inference import shared_models
from aosrepl.network import Network
from tests.inference.herd import new_client, output, settle


@pytest.fixture()
def pool(monkeypatch):
    fresh = shared_models.SharedModels()
    monkeypatch.setattr(shared_models, "SHARED_MODELS", fresh)
    return fresh


def test_warm_up_loads_the_weights_the_workers_then_use(tmp_path, model_path, pool):
    with Network(tmp_path / "data", workers=1) as net:
        assert net.run_until_idle(60)
        assert pool.loaded() == []                          # a network alone loads no model
        net.warm_up_inference(delay=0)
        net._warm_up.thread.join(120)
        assert net._warm_up.error is None
        assert pool.loaded() == [(str(model_path), 1)]      # loaded before anything asked for it
        pid, printed = new_client(net, "first")
        output(net.eval(pid, 'Llama.run("Say hi", 4, function(t) print("GOT " .. t) end)'))
        settle(net)
        assert "GOT " in printed.text
        assert pool.loaded() == [(str(model_path), 2)]      # the worker's engine took the warm weights
    assert (str(model_path), 2) not in pool.loaded()        # closing the network let the warm engine go


def test_a_network_closed_before_the_warm_up_starts_loads_nothing(tmp_path, pool):
    with Network(tmp_path / "data", workers=1) as net:
        net.warm_up_inference(delay=30)
        warm = net._warm_up
    assert not warm.thread.is_alive()
    assert pool.loaded() == []


def test_warm_up_is_not_for_a_remote_backend_or_without_workers(tmp_path, pool):
    with Network(tmp_path / "a", workers=0) as net:
        net.warm_up_inference()
        assert net._warm_up is None
    with Network(tmp_path / "b", workers=1, backend="http://127.0.0.1:9") as net:
        net.warm_up_inference()
        assert net._warm_up is None


def test_the_interactive_console_starts_the_warm_up(tmp_path, monkeypatch):
    calls = []

    class Session:
        pid = "P" * 43

        def connect(self):
            calls.append("connect")
            return display.AOS_LIBRARY_VERSION

    class LocalNetwork:
        is_local = True

        def warm_up_inference(self):
            calls.append("warm up")

    monkeypatch.setattr(console_app, "run_app", lambda session, net, data_dir: calls.append("prompt") or 0)
    args = argparse.Namespace(load=[], fund=None, monitor=False)
    out = type("Out", (), {"write": lambda self, text: None})()
    assert cli.run_interactive(Session(), LocalNetwork(), tmp_path, args, out) == 0
    assert calls == ["connect", "warm up", "prompt"]
