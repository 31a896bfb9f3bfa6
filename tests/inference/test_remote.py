"""The remote backend against llama-cpp-python's OpenAI-compatible server on 127.0.0.1."""
import pytest

from aosrepl.inference.engine import InferenceError
from aosrepl.inference.remote import RemoteEngine
from tests.inference.prompts import JOKER_PROMPT
from tests.inference.server import free_port, llama_server


@pytest.fixture(scope="module")
def server_url(model_path):
    with llama_server(model_path) as url:
        yield url


@pytest.fixture
def remote(server_url):
    e = RemoteEngine(server_url)
    e.load("/data/ISrbGzQot05rs_HKC08O_SmkipYQnqgB1yC3mjZZeEo")
    yield e
    e.close()


def test_next_streams_one_token_at_a_time(remote):
    remote.set_seed(2)
    remote.set_prompt("What is the meaning of life?")
    pieces = [remote.next() for _ in range(4)]
    assert all(pieces)
    remote.set_seed(2)
    remote.set_prompt("What is the meaning of life?")
    assert remote.run(4) == "".join(pieces)


def test_run_then_continue(remote):
    remote.set_temp(0)
    remote.set_prompt("The capital of France is")
    first = remote.run(3)
    more = remote.run(3)
    assert more                          # continued from the text so far (re-tokenised by the server)
    remote.set_prompt("The capital of France is")
    assert remote.run(6).startswith(first)


def test_joker_goes_through_the_servers_chat_template(remote):
    remote.set_temp(0)
    remote.set_prompt(JOKER_PROMPT)
    text = remote.run(60)
    assert text.strip()
    assert "<|im_end|>" not in text and "<|im_start|>" not in text


def test_save_and_load_state(remote):
    remote.set_temp(0)
    remote.set_prompt("One, two,")
    remote.run(2)
    handle = remote.save_state()
    a = remote.run(3)
    remote.load_state(handle)
    assert remote.run(3) == a


def test_embed(remote):
    vector = remote.embed("a cat")
    assert len(vector) > 16
    assert abs(sum(v * v for v in vector) - 1) < 1e-3


def test_unreachable_backend_is_a_clear_error():
    e = RemoteEngine(f"http://127.0.0.1:{free_port()}")
    e.load("x")
    e.set_prompt("hi")
    with pytest.raises(InferenceError, match="inference backend unreachable at http://127.0.0.1:"):
        e.run(3)
    with pytest.raises(InferenceError, match="unreachable"):
        e.embed("x")


def test_bad_url_is_rejected():
    with pytest.raises(InferenceError, match="http"):
        RemoteEngine("ftp://example")


def test_a_backend_that_accepts_but_never_answers_is_reported_as_silent_not_unreachable():
    import socket
    with socket.socket() as listener:             # listens (the kernel accepts connections) but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        e = RemoteEngine(url, timeout=0.3)
        e.load("x")
        e.set_prompt("hi")
        silent = f"inference backend at {url} accepted the connection but sent no answer within 0.3 s"
        with pytest.raises(InferenceError) as failure:
            e.run(3)
        assert str(failure.value) == silent
        with pytest.raises(InferenceError) as failure:
            e.embed("x")
        assert str(failure.value) == silent
