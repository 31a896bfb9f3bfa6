"""The in-process engine on the real default model (token counts kept small)."""
import pytest

from aosrepl.inference.engine import InferenceError, LocalEngine
from aosrepl.inference.models import ModelError
from tests.inference.prompts import JOKER_PROMPT


def test_next_gives_one_token_of_text_at_a_time(engine):
    engine.set_seed(1)
    engine.set_prompt("The capital of France is")
    pieces = [engine.next() for _ in range(4)]
    assert all(isinstance(p, str) and p for p in pieces)
    engine.set_seed(1)
    engine.set_prompt("The capital of France is")
    assert engine.run(4) == "".join(pieces)


def test_run_generates_text_for_the_articles_prompt(engine):
    engine.set_prompt("What is the meaning of life?")
    text = engine.run(12)
    assert len(text.split()) >= 3


def test_same_seed_same_text_other_seed_other_text(engine):
    engine.set_temp(1.0)
    outputs = []
    for seed in (5, 5, 6):
        engine.set_seed(seed)
        engine.set_prompt("Once upon a time")
        outputs.append(engine.run(10))
    engine.set_temp(0.8)
    assert outputs[0] == outputs[1]
    assert outputs[0] != outputs[2]


def test_temperature_zero_is_greedy_whatever_the_seed(engine):
    engine.set_temp(0)
    texts = set()
    for seed in (1, 2):
        engine.set_seed(seed)
        engine.set_prompt("Water is made of")
        texts.add(engine.run(6))
    engine.set_temp(0.8)
    assert len(texts) == 1


def test_stop_ends_generation_until_new_text(engine):
    engine.set_prompt("Count: one, two,")
    assert engine.next()
    engine.stop()
    assert engine.next() == ""
    assert engine.run(5) == ""
    engine.add(" three,")
    assert engine.next() != ""


def test_add_extends_the_context(engine):
    engine.set_temp(0)
    engine.set_prompt("The capital of France is")
    engine.add(" Paris. The capital of Italy is")
    added = engine.run(3)
    engine.set_prompt("The capital of France is Paris. The capital of Italy is")
    whole = engine.run(3)
    engine.set_temp(0.8)
    assert added == whole


def test_save_and_load_state_replays_the_same_continuation(engine):
    engine.set_seed(3)
    engine.set_prompt("My favourite animal is")
    engine.run(3)
    handle = engine.save_state()
    first = engine.run(6)
    engine.load_state(handle)
    assert engine.run(6) == first
    engine.load_state()          # no handle: the latest saved state
    assert engine.run(6) == first


def test_load_state_without_a_save_is_an_error():
    e = LocalEngine()
    with pytest.raises(InferenceError, match="no saved state"):
        e.load_state()


def test_embeddings_are_normalised_vectors_that_track_meaning(engine):
    cat, kitten, tax = (engine.embed(t) for t in ("a cat", "a kitten", "income tax law"))
    assert len(cat) == len(kitten) > 16
    assert abs(sum(v * v for v in cat) - 1.0) < 1e-3
    dot = lambda a, b: sum(x * y for x, y in zip(a, b))
    assert dot(cat, kitten) > dot(cat, tax)


def test_phi3_dialect_ends_the_turn_with_phi3_end_marker(engine):
    engine.set_temp(0)
    engine.set_prompt(JOKER_PROMPT)
    text = engine.run(60)
    engine.set_temp(0.8)
    assert "<|im_end|>" not in text
    if text.endswith("<|end|>\n"):
        assert engine.next() == ""        # generation is over after the end of the turn
    assert text.strip()


def test_calls_before_load_are_clear_errors():
    e = LocalEngine()
    with pytest.raises(InferenceError, match="no model loaded"):
        e.set_prompt("hi")


def test_next_before_a_prompt_is_a_clear_error(model_path):
    e = LocalEngine()
    e.load(str(model_path))
    with pytest.raises(InferenceError, match="no prompt set"):
        e.next()


def test_bad_arguments_are_clear_errors(engine):
    with pytest.raises(InferenceError, match="prompt must be a string"):
        engine.set_prompt(5)
    with pytest.raises(InferenceError, match="temperature"):
        engine.set_temp(-1)
    with pytest.raises(InferenceError, match="seed"):
        engine.set_seed("x")
    with pytest.raises(InferenceError, match="token count"):
        engine.run(-3)


def test_missing_model_fails_at_load():
    with pytest.raises(ModelError, match="model file not found"):
        LocalEngine().load("/nonexistent/x.gguf")


def test_corrupt_model_with_gguf_header_fails_at_first_use(tmp_path):
    bad = tmp_path / "corrupt.gguf"
    bad.write_bytes(b"GGUF" + b"\x00garbage" * 20)
    e = LocalEngine()
    e.load(str(bad))
    with pytest.raises(InferenceError, match="cannot load model"):
        e.set_prompt("hello")
    with pytest.raises(InferenceError, match="cannot load model"):   # still a clear error, again
        e.set_prompt("hello")


def test_prompt_longer_than_the_context_is_a_clear_error(engine):
    with pytest.raises(InferenceError, match="prompt too long"):
        engine.set_prompt("word " * 3000)
    engine.set_prompt("Still fine")           # the engine is usable afterwards
    assert engine.run(2)


def test_truncated_model_is_a_clear_error(model_path, tmp_path):
    half = tmp_path / "half.gguf"
    with open(model_path, "rb") as src:
        half.write_bytes(src.read(model_path.stat().st_size // 2))
    e = LocalEngine()
    e.load(str(half))
    with pytest.raises(InferenceError, match="cannot load model .*half.gguf.*truncated"):
        e.set_prompt("hello")
