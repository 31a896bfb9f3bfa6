"""The one-call crossing (crossing.lua + LuaProcess): a result read back as one JSON text, or in the flat
form when it has the usual shape, equals what the field-by-field conversion (bridge.to_python) gives, for
every kind of Lua value; a message built from flat arguments is the message the general path builds."""
import math
import random

import pytest

from aosrepl.runtime import LuaProcess
from aosrepl.runtime.bridge import to_python
from aosrepl.runtime.memory import message_bytes
from aosrepl.runtime.library import runtime_source
from aosrepl.runtime.process import _flat_message, _from_flat, _from_json
from aosrepl.runtime.testing import eval_in, make_msg, spawn_process

RESULTS = [
    "{ Output = { data = 'x', prompt = 'p', print = true }, Messages = {}, Spawns = {}, Assignments = {} }",
    "{ Output = {}, Messages = { { Target = 'a', Tags = { { name = 'n', value = 1.5 } }, Data = '' } } }",
    "{ Output = { data = { 1, 2, 3 } }, Messages = { { Nested = {} } } }",
    "{ Output = { data = { 1, 2, nil, 4 } } }",
    "{ Output = { data = { [1] = 'a', [3] = 'c', x = 1 } } }",
    "{ Output = { data = { [2] = 'b', [3] = 'c' } } }",
    "{ Output = { data = { [1.5] = 'f', [true] = 't', [false] = 'f', [-7] = 'neg' } } }",
    "{ Output = { data = { ['\\0odd'] = 1, [print] = 2 } } }",
    "{ Output = { data = { 3.0, 1e300, -0.0, 0.1, 1/0, -1/0, math.maxinteger, math.mininteger } } }",
    "{ Output = { data = 'bad \\xff\\xfe utf8 \\0 nul \\1 ctl \" quote \\\\ back \\127 del é' } }",
    "{ Output = { data = { f = print, g = function() end } } }",
    "{ Output = { data = { {}, { {} } } }, Spawns = { { Tags = {} } } }",
    "{ [1] = 'top level int key', Output = {} }",
    "{ Error = 'boom' }",
    "{ Error = 7 }",
    "{ Output = { data = 'é', n = 3, f = 0.5, b = false }, Messages = { { Target = 't', Data = '\\xff', "
    "Tags = { { name = 'a', value = 'b' }, { name = 'a', value = 'c' } } }, { Target = 'u' } }, "
    "Spawns = { { Data = 'd', Tags = {} } }, Assignments = {} }",
    "{ Messages = { { Target = 't', Tags = { { name = 'a', value = 'b', extra = 'x' } } } } }",
    "{ Messages = { { Target = 't', Tags = { name = 'a', value = 'b' } } } }",
    "{ Messages = { [2] = { Target = 't' } } }",
    "{ Assignments = { { Processes = { 'p' }, Message = 'm' } } }",
    "{ Output = setmetatable({ data = 'x' }, { __pairs = function() return next, {} end }) }",
]
# the shapes the flat form takes (the others go as JSON)
FLAT = {0, 9, 13, 15}


@pytest.fixture(scope="module")
def lua():
    proc = LuaProcess("p" * 43)
    crossing = proc._load_trusted(runtime_source("crossing"), b"=crossing")(proc._guard.raw)
    return proc, crossing


def field_by_field(proc, table):
    out = {}
    for key, value in table.items():
        name = key.decode() if isinstance(key, bytes) else str(key)
        out[name] = to_python(value, empty_as_list=name in ("Messages", "Spawns", "Assignments"))
    return out


def same(a, b, key_order=True):
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        keys_match = list(a) == list(b) if key_order else sorted(a) == sorted(b)
        return keys_match and all(same(a[k], b[k], key_order) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y, key_order) for x, y in zip(a, b))
    return a == b


@pytest.mark.parametrize("source", RESULTS)
def test_one_text_equals_field_by_field(lua, source):
    proc, crossing = lua
    table = proc._load_trusted(f"return {source}".encode(), b"=t")()
    assert same(_from_json(crossing.outbound(table)), field_by_field(proc, table))


@pytest.mark.parametrize("index", range(len(RESULTS)))
def test_the_flat_form_equals_field_by_field(lua, index):
    proc, crossing = lua
    table = proc._load_trusted(f"return {RESULTS[index]}".encode(), b"=t")()
    flat = crossing.flatten(table)   # (flat, n), or None
    if flat is None:
        assert index not in FLAT
        return
    assert index in FLAT
    flat, n = flat
    values = (None,) + tuple(flat[i] for i in range(1, n + 1))   # as host.handle_flat returns them
    # a tag comes back as {"name", "value"} in that order, whatever order Lua's table keeps
    assert same(_from_flat(values), field_by_field(proc, table), key_order=False)


def test_a_usual_result_crosses_flat(lua):
    proc, env = spawn_process()
    eval_in(proc, env, "Handlers.add('p', 'P', function(m) Send({ Target = m.From, Action = 'Q', N = '1' }) end)")
    values = proc._handle_flat(proc._env_table(env), 10 ** 8, False, None, None,
                               *_flat_message(make_msg(proc, action="P"))[0])
    assert type(values[1]) is int, values[:3]   # not a JSON text
    result = _from_flat(values)
    assert [t["value"] for t in result["Messages"][0]["Tags"] if t["name"] == "N"] == ["1"]


def test_the_flat_form_counts_a_message_as_message_bytes_does():
    rng = random.Random(14)
    alphabet = "aé\u20ac\U0001f600\ud800 \"\\"
    for _ in range(500):
        text = lambda: "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 8)))   # noqa: E731
        msg = make_msg("p" * 43, action=text() or "A", data=rng.choice([text(), None, 12, 1.5, True]),
                       tags={text() or "t": text() for _ in range(rng.randrange(0, 4))})
        flat = _flat_message(msg)
        assert flat is not None
        assert flat[1] == message_bytes(msg)
        assert flat[2] == sum(len(v) for v in flat[0] if type(v) is bytes)


def test_nan_survives(lua):
    proc, crossing = lua
    table = proc._load_trusted(b"return { Output = { data = 0/0 } }", b"=t")()
    assert math.isnan(_from_json(crossing.outbound(table))["Output"]["data"])


def test_a_cycle_in_the_outbox_is_an_error_not_a_hang():
    proc, env = spawn_process()
    result = eval_in(proc, env, "local t = {}; t.self = t; Send({ Target = ao.id, Loop = t }); return 1")
    assert result.get("Error", "").startswith("The result could not be converted"), result
    assert eval_in(proc, env, "1 + 1")["Output"]["data"] == "2"


def test_flat_and_general_paths_build_the_same_message():
    probe = ("Handlers.add('probe', 'Probe', function(msg) "
             "local keys = {} for k, v in pairs(msg) do if type(v) ~= 'table' and type(v) ~= 'function' then "
             "keys[#keys + 1] = k .. '=' .. tostring(v) end end table.sort(keys) "
             "local tags = {} for k, v in pairs(msg.Tags) do tags[#tags + 1] = k .. ':' .. v end table.sort(tags) "
             "Seen = table.concat(keys, ';') .. '|' .. table.concat(tags, ';') end)")
    texts = []
    for extra in ({}, {"Extra": None}):   # an unknown field sends the message the general way
        proc, env = spawn_process(pid="p" * 43)
        assert "Error" not in eval_in(proc, env, probe)
        msg = make_msg(proc, action="Probe", msg_id="m" * 43, nonce=7, timestamp=5, tags={"é": "ü"}, **extra)
        assert "Error" not in proc.handle(msg, env)
        texts.append(eval_in(proc, env, "Seen")["Output"]["data"])
    assert texts[0] == texts[1] and "Nonce=7" in texts[0] and "é:ü" in texts[0], texts
