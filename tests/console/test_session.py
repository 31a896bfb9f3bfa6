"""ConsoleSession driven in-process against the real local network (what the transcript runner does)."""
import io
import re

import pytest

from aosrepl import ids
from aosrepl.console.session import ConsoleSession
from aosrepl.network import Network


@pytest.fixture
def net(tmp_path):
    network = Network(tmp_path / "data")
    yield network
    network.close()


@pytest.fixture
def console(net, tmp_path):
    out = io.StringIO()
    pid = net.find_or_spawn("ai-demo")
    session = ConsoleSession(net, pid, out, color=False, data_dir=tmp_path / "data", cwd=str(tmp_path),
                             eval_timeout=60)
    net.subscribe(pid, session.on_result)
    net.run_until_idle(30)
    session.connect()
    return session, out


def typed(session, out, line: str) -> str:
    """Types a line, waits for the network to settle, returns what was printed."""
    out.seek(0)
    out.truncate()
    session.submit(line)
    session.net.run_until_idle(60)
    return out.getvalue()


def test_connect_gives_the_process_prompt(console):
    session, _ = console
    assert session.prompt == "ai-demo@aos-2.0.0.rc1[Inbox:1]> "


def test_eval_display(console):
    session, out = console
    assert typed(session, out, "1+1") == "2\n"
    assert typed(session, out, "x = 1") == ""
    assert typed(session, out, "print('a'); return {1, 2}") == "a\n{ 1, 2 }\n"


def test_update_reports_the_new_version(console):
    session, out = console
    assert typed(session, out, ".update") == "Updated AOS to version 2.0.0.rc2\n"
    assert session.prompt == "ai-demo@aos-2.0.0.rc2[Inbox:1]> "


def test_a_message_to_self_arrives_after_the_eval_output(console):
    session, out = console
    text = typed(session, out, 'Send({ Target = ao.id, Action = "Ping" }).output')
    assert text == f"Message added to outbox\nNew Message From {session.pid[:3]}...{session.pid[-3:]}: Action = Ping\n"
    assert "[Inbox:2]" in session.prompt


def test_fund_brings_a_credit_notice(console):
    session, out = console
    text = typed(session, out, ".fund 0.001")
    assert text.startswith("Sent 0.001 wAR (1000000000 units) from your wallet to ")
    assert "New Message From xU9...h10: Action = Credit-Notice" in text
    text = typed(session, out, f'Send({{ Target = "{ids.WAR_TOKEN}", Action = "Balance" }}).output')
    assert "New Message From xU9...h10: Action = Balance-Notice" in text
    assert typed(session, out, "Inbox[#Inbox].Data") == "1000000000\n"


def test_fund_reports_the_transfer_before_the_notice_it_caused(console):
    session, out = console
    for _ in range(5):      # the Credit-Notice is handled on another thread: it must never overtake the verdict
        lines = typed(session, out, ".fund 0.001").splitlines()
        assert lines[0].startswith("Sent 0.001 wAR (1000000000 units) from your wallet to ")
        assert lines[1:] == ["New Message From xU9...h10: Action = Credit-Notice"]


def test_fund_beyond_the_wallet_says_it_failed_and_why(console):
    """The wallet holds 1000 wAR: wAR answers a Transfer-Error, and nothing reaches the process."""
    session, out = console
    inbox = typed(session, out, "#Inbox")
    out.seek(0)
    out.truncate()
    assert session.submit(".fund 99999999") is False
    session.net.run_until_idle(60)
    assert out.getvalue() == ("ERROR: wAR refused the transfer of 99999999 wAR: Insufficient Balance! "
                              "(your wallet holds 1000 wAR)\n")
    assert typed(session, out, "#Inbox") == inbox
    assert typed(session, out, ".fund 0.5").startswith("Sent 0.5 wAR")
    assert typed(session, out, ".fund 999.6") == (
        "ERROR: wAR refused the transfer of 999.6 wAR: Insufficient Balance! (your wallet holds 999.5 wAR)\n")


def test_wars_answer_is_read_from_the_requests_whole_result(console):
    """.fund asks wAR with net.request, whose result keeps its outbox however fast wAR is (with send +
    wait_result, a result read back from the log had no outbox and the Debit-Notice was lost)."""
    from aosrepl.console.network_commands import transfer_refusal
    session, _ = console
    for quantity, expected in ((str(10 ** 20), "Insufficient Balance!"), ("1000", None)):
        answer = session.net.request(ids.WAR_TOKEN, {"Action": "Transfer", "Recipient": session.pid,
                                                     "Quantity": quantity}, timeout=60)
        assert transfer_refusal(answer) == expected


def test_runtime_error_and_console_lives_on(console):
    session, out = console
    text = typed(session, out, "local t = nil\nreturn t.x")
    assert text.splitlines()[-5:] == ["attempt to index a nil value (local 't')", "   |", " 2 | return t.x", "   |",
                                      "This error occurred while aos was evaluating the submitted code."]
    assert typed(session, out, "2*3") == "6\n"


def test_dryrun_keeps_nothing(console):
    session, out = console
    typed(session, out, "Kept = 1")
    typed(session, out, ".dryrun")
    assert session.prompt.startswith("*")
    assert typed(session, out, "Kept = 2; return Kept") == "2\n"
    typed(session, out, ".dryrun")
    assert typed(session, out, "Kept") == "1\n"


def test_ps_lists_the_network_processes(console):
    session, out = console
    listing = typed(session, out, ".ps")
    assert re.search(r"^\* ai-demo +" + re.escape(session.pid), listing, re.M)
    assert ids.WAR_TOKEN in listing and ids.LLAMA_HERDER in listing


def test_watch_shows_another_process_output(console):
    session, out = console
    other = session.net.find_or_spawn("other")
    session.net.run_until_idle(30)
    assert typed(session, out, ".watch other") == f"Watching: {other} (other)\n"
    text = typed(session, out, f'Send({{ Target = "{other}", Action = "Ping" }}).output')
    short = f"{session.pid[:3]}...{session.pid[-3:]}"
    assert text == f"Message added to outbox\n[other] New Message From {short}: Action = Ping\n"
    assert typed(session, out, ".unwatch other") == "Stopped watching other.\n"
    assert typed(session, out, f'Send({{ Target = "{other}", Action = "Ping" }}).output') == "Message added to outbox\n"


def test_blueprint_from_the_repository(console):
    session, out = console
    text = typed(session, out, ".load-blueprint token")
    assert text.startswith("Loading... token\n")
    assert typed(session, out, "Balances ~= nil") == "true\n"


def test_monitor_brings_cron_ticks_until_unmonitor(tmp_path):
    with Network(tmp_path / "cron", deterministic=True) as net:
        cron = [{"name": "Cron-Interval", "value": "1-second"}, {"name": "Cron-Tag-Action", "value": "Cron"}]
        pid = net.find_or_spawn("c", tags=cron)
        out = io.StringIO()
        session = ConsoleSession(net, pid, out, color=False)
        net.subscribe(pid, session.on_result)
        net.run_until_idle(30)
        assert typed(session, out, ".monitor") == "Successfully started cron monitoring process.\n"
        net.clock.advance(2500)
        net.run_until_idle(30)
        assert out.getvalue().count(": Action = Cron\n") == 2
        assert typed(session, out, ".unmonitor") == "Successfully stopped cron monitoring process.\n"
        net.clock.advance(2500)
        net.run_until_idle(30)
        assert out.getvalue() == "Successfully stopped cron monitoring process.\n"
        assert "[Inbox:3]" in session.prompt


def test_monitor_without_a_cron_is_a_clear_error(console):
    session, out = console
    assert typed(session, out, ".monitor").startswith("Could not start cron monitoring process. (")
