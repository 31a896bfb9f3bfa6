"""One loaded model for every engine: contexts of their own, weights shared, freed with the last user."""
import threading

import pytest

from aosrepl import ids
from aosrepl.inference import shared_models
from aosrepl.inference.engine import LocalEngine


@pytest.fixture()
def pool(monkeypatch):
    fresh = shared_models.SharedModels()
    monkeypatch.setattr(shared_models, "SHARED_MODELS", fresh)
    return fresh


def engine():
    e = LocalEngine(threads=1)
    e.load("/data/" + ids.PHI3_MODEL)
    return e


def test_engines_share_one_model_and_free_it_with_the_last(model_path, pool):
    a, b = engine(), engine()
    a.set_seed(1); a.set_prompt("Llamas are")
    b.set_seed(1); b.set_prompt("Llamas are")
    assert pool.loaded() == [(str(model_path), 2)]
    # separate contexts: each engine generates on its own, the same text for the same seed
    assert a.run(6) == b.run(6)
    a.close()
    assert pool.loaded() == [(str(model_path), 1)]
    b.set_prompt("Alpacas are")
    assert b.run(3)
    b.close()
    assert pool.loaded() == []
    c = engine()            # loaded again on the next use
    c.set_prompt("Hi")
    assert pool.loaded() == [(str(model_path), 1)]
    c.close()


def test_engines_on_the_shared_model_run_side_by_side(model_path, pool):
    engines = [engine() for _ in range(2)]
    for e in engines:
        e.set_seed(5)
        e.set_prompt("The llama herder said")
    results = [None, None]

    def work(i):
        results[i] = engines[i].run(8)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert results[0] and results[0] == results[1]
    assert pool.loaded() == [(str(model_path), 2)]
    for e in engines:
        e.close()
