"""The registry's and the client's messages are the same on every run (no dependence on `pairs` order)."""
from __future__ import annotations

from aosrepl import ids
from aosrepl.services import BLUEPRINTS_DIR
from tests.apm.playground import Playground


def apm_traffic(data_dir) -> list:
    play = Playground(data_dir)
    try:
        play.eval((BLUEPRINTS_DIR / "apm.lua").read_text())
        play.type("APM.update()")
        play.type('APM.install("@sam/Llama-Herder")')
        play.type('APM.search("")')
        play.type("APM.popular()")
        play.type('APM.info("@sam/Llama-Herder")')
        traffic = []
        for message in play.net.log.query(process=play.pid):
            if ids.APM_REGISTRY in (message["From"], message["Target"]):
                traffic.append((message["From"], message["Target"], message["Tags"], message["Data"]))
        for message in play.net.log.query(process=ids.APM_REGISTRY):
            if message["From"] == play.pid:
                traffic.append((message["Tags"], message["Data"]))
        return traffic
    finally:
        play.close()


def test_two_runs_exchange_identical_messages(tmp_path):
    first = apm_traffic(tmp_path / "one")
    assert len(first) > 10
    assert apm_traffic(tmp_path / "two") == first
