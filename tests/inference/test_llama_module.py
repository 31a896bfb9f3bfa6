"""The `llama` native module as a worker process sees it: require("llama") inside a sandboxed process."""
import pytest

from aosrepl import ids
from aosrepl.inference import default_natives
from aosrepl.runtime.testing import eval_in, spawn_process
from tests.inference.prompts import JOKER_PROMPT


@pytest.fixture(scope="module")
def proc(model_path):
    p, env = spawn_process(name="worker", natives=default_natives(threads=1))
    res = eval_in(p, env, f'Llama = require("llama"); return Llama.load("/data/{ids.PHI3_MODEL}")')
    assert res["Output"]["data"] == str(model_path)
    return p, env


def run(proc, code):
    p, env = proc
    res = eval_in(p, env, code)
    assert "Error" not in res, res["Error"]
    return res["Output"]["data"]


def error_of(proc, code):
    p, env = proc
    res = eval_in(p, env, code)
    assert "Error" in res, res
    return res["Error"]


def test_info(proc):
    assert run(proc, "return Llama.info()") == "A decentralized LLM inference engine, built on top of llama.cpp."


def test_set_prompt_next_and_run(proc):
    out = run(proc, """
      Llama.setSeed(9); Llama.setPrompt("What is the meaning of life?")
      local a = Llama.next() .. Llama.next() .. Llama.next()
      Llama.setSeed(9); Llama.setPrompt("What is the meaning of life?")
      local b = Llama.run(3)
      return tostring(a == b and #a > 0) .. "|" .. a""")
    assert out.startswith("true|")


def test_seed_and_temperature_make_runs_repeatable(proc):
    out = run(proc, """
      Llama.setTemp(1.2)
      local texts = {}
      for i, seed in ipairs({11, 11, 12}) do
        Llama.setSeed(seed); Llama.setPrompt("Once upon a time"); texts[i] = Llama.run(8)
      end
      Llama.setTemp(0.8)
      return tostring(texts[1] == texts[2]) .. tostring(texts[1] ~= texts[3])""")
    assert out == "truetrue"


def test_stop_and_add(proc):
    out = run(proc, """
      Llama.setPrompt("One, two, three,"); Llama.next(); Llama.stop()
      local after_stop = Llama.next()
      Llama.add(" four,")
      return "[" .. tostring(after_stop) .. "]" .. tostring(#Llama.run(2) > 0)""")
    assert out == "[nil]true"     # aos-llama: next() gives nil once the generation has ended


def test_save_and_load_state(proc):
    out = run(proc, """
      Llama.setPrompt("The sky is"); Llama.run(2)
      local slot = Llama.saveState()
      local first = Llama.run(5)
      Llama.loadState(slot)
      return tostring(first == Llama.run(5)) .. " " .. math.type(slot)""")
    assert out == "true integer"


def test_embed_returns_a_lua_array_of_numbers(proc):
    out = run(proc, """
      local v = Llama.embed("hello")
      local sum = 0
      for i = 1, #v do sum = sum + v[i] * v[i] end
      return #v .. " " .. string.format("%.3f", sum)""")
    size, norm = out.split()
    assert int(size) > 16 and norm == "1.000"


def test_joker_prompt_in_phi3_dialect_generates_text(proc):
    out = run(proc, f"Llama.setTemp(0); Llama.setPrompt({JOKER_PROMPT!r}); local t = Llama.run(40); "
                    "Llama.setTemp(0.8); return t")
    assert out.strip() and "<|im_" not in out


def test_log_hooks_receive_messages_at_or_below_log_level(proc):
    out = run(proc, f"""
      local seen = {{}}
      Llama.logLevel = 4
      Llama.onLog = function(level, text) seen[#seen + 1] = level .. ":" .. text end
      Llama.load("/data/{ids.PHI3_MODEL}")
      Llama.logLevel = 2
      Llama.load("/data/{ids.PHI3_MODEL}")
      return #seen .. " " .. seen[1]""")
    assert out.startswith("1 4:model selected: ")


@pytest.mark.parametrize("code, message", [
    ('Llama.load("/nonexistent/model.gguf")', "Llama.load takes an Arweave model id as /data/<id> (a process "
                                              "has no other files), not '/nonexistent/model.gguf'"),
    ('Llama.load("/etc/passwd")', "not '/etc/passwd'"),      # the same answer whether the file exists or not
    ("Llama.run('many')", "token count must be a number >= 0"),
    ("Llama.setPrompt({})", "prompt must be a string"),
    ("Llama.setTemp(-2)", "temperature must be a number >= 0"),
    ("Llama.loadState(999)", "no saved state 999"),
])
def test_bad_calls_raise_clear_lua_errors_and_the_process_lives_on(proc, code, message):
    assert message in error_of(proc, code)
    assert run(proc, "return 1 + 1") == "2"


def test_errors_can_be_caught_with_pcall(proc):
    out = run(proc, 'local ok, err = pcall(Llama.load, "/nonexistent/x.gguf"); return tostring(ok) .. " " .. err')
    assert out == "false Llama.load takes an Arweave model id as /data/<id> (a process has no other files), " \
                  "not '/nonexistent/x.gguf'"


def test_corrupt_model_is_an_error_not_a_crash(tmp_path):
    bad = tmp_path / "corrupt.gguf"
    bad.write_bytes(b"GGUF" + bytes(200))
    p, env = spawn_process(natives=default_natives(model=str(bad), threads=1))
    res = eval_in(p, env, f'L = require("llama"); L.load("/data/{ids.PHI3_MODEL}"); L.setPrompt("hi")')
    assert "cannot load model" in res["Error"]
    assert eval_in(p, env, "return 40 + 2")["Output"]["data"] == "42"


def test_each_process_gets_its_own_engine(model_path):
    natives = default_natives(threads=1)
    a, env_a = spawn_process(natives=natives)
    b, env_b = spawn_process(natives=natives)
    eval_in(a, env_a, f'L = require("llama"); L.load("/data/{ids.PHI3_MODEL}"); L.setPrompt("Cats are")')
    eval_in(b, env_b, f'L = require("llama"); L.load("/data/{ids.PHI3_MODEL}")')
    res = eval_in(b, env_b, "return L.next()")
    assert "no prompt set" in res["Error"]
    assert eval_in(a, env_a, "return #L.next() > 0")["Output"]["data"] == "true"


def test_log_table_and_levels_as_aos_llama_has_them(model_path):
    p, env = spawn_process(name="fresh", natives=default_natives(threads=1))
    out = run((p, env), f"""
      local L = require("llama")
      local names = L.logLevels[2] .. L.logLevels[3] .. L.logLevels[4] .. L.logLevels[5]
      local before = next(L.log) == nil
      L.load("/data/{ids.PHI3_MODEL}")
      L.logLevel = 3
      L.load("/data/{ids.PHI3_MODEL}")
      return names .. " " .. tostring(before) .. " " .. #L.log.info .. " " .. L.log.info[1]""")
    assert out.startswith("errorwarninfodebug true 1 model selected: ")


def test_on_progress_is_called_while_loading(proc):
    out = run(proc, f"""
      local calls = 0
      Llama.onProgress = function() calls = calls + 1 end
      Llama.load("/data/{ids.PHI3_MODEL}")
      Llama.onProgress = function() end
      return calls""")
    assert out == "1"


def test_next_after_the_end(proc):
    # the model ends its answer (a chat prompt): "" from then on, so the real Llama-Herder worker's
    # `response = response .. Llama.next()` loop keeps working; stop() ends it: nil
    out = run(proc, f"""
      Llama.setTemp(0)
      Llama.setPrompt({JOKER_PROMPT!r})
      local response = ""
      for _ = 1, 300 do response = response .. Llama.next() end
      local after_answer = Llama.next()
      Llama.stop()
      local after_stop = Llama.next()
      Llama.setTemp(0.8)
      return "[" .. after_answer .. "] " .. tostring(after_stop) .. " " .. tostring(response:find("<|end|>", 1, true) ~= nil)""")
    assert out == "[] nil true"


def test_aos_llama_user_process_gets_the_api(tmp_path, model_path):
    from aosrepl.network import Network
    with Network(tmp_path / "data", services=False, workers=0, deterministic=True) as net:
        pid = net.spawn("mine", module=ids.AOS_LLAMA_MODULE_ID)
        res = net.eval(pid, f'Llama = require("llama"); Llama.load("/data/{ids.PHI3_MODEL}"); '
                            'Llama.setSeed(3); Llama.setPrompt("The capital of France is"); '
                            'return Llama.info() .. "|" .. Llama.run(4)', timeout=120)
        info, text = res["Output"]["data"].split("|", 1)
        assert info.startswith("A decentralized LLM inference engine") and text.strip()
