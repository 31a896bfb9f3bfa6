"""Run by test_hostile.py in a child process (a Lua panic aborts the whole interpreter, so it must not
happen inside the test run): fill a process's heap with successful messages, then keep sending it
more. Prints one line per step; exits 0 when the process stayed usable."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from aosrepl.runtime import ProcessLimits  # noqa: E402
from aosrepl.runtime.testing import eval_in, make_msg, spawn_process  # noqa: E402


def main() -> None:
    p, env = spawn_process(name="victim", limits=ProcessLimits(memory_bytes=24 << 20, instructions=10 ** 9))
    junk = "x" * (1 << 20)
    errors = 0
    for i in range(60):   # 60 MiB of Inbox into a 24 MiB heap
        res = p.handle(make_msg(p, action="Junk", data=junk), env)
        errors += "Error" in res
    print("JUNK-ERRORS", errors, flush=True)
    res = eval_in(p, env, "Inbox = {} return 'emptied'")
    print("REPAIR", res.get("Output", {}).get("data") or res.get("Error"), flush=True)
    print("AFTER", eval_in(p, env, "1+1")["Output"]["data"], flush=True)


if __name__ == "__main__":
    main()
