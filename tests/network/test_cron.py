"""Cron ticks in virtual time."""
import pytest

from aosrepl.network import NetworkError
from tests.network.conftest import ev

COUNTER = "Ticks = {}; Handlers.add('cron', 'Cron', function(m) table.insert(Ticks, m.Timestamp) end)"


def test_cron_fires_the_expected_number_of_times_while_monitored(net):
    pid = net.spawn("ticker", tags={"Cron-Interval": "10-seconds", "Cron-Tag-Action": "Cron"})
    ev(net, pid, COUNTER)
    start = net.get_message(pid)["Timestamp"]
    net.clock.advance(30_000)           # not monitored yet: nothing
    assert net.run_until_idle(10)
    assert ev(net, pid, "#Ticks") == "0"
    net.monitor(pid)
    net.clock.advance(60_000)
    assert net.run_until_idle(10)
    assert ev(net, pid, "#Ticks") == "6"
    stamps = [int(x) for x in ev(net, pid, "table.concat(Ticks, ',')").split(",")]
    assert stamps == [start + 10_000 * k for k in range(4, 10)]   # aligned on the spawn time
    assert net.unmonitor(pid) is True
    net.clock.advance(60_000)
    assert net.run_until_idle(10)
    assert ev(net, pid, "#Ticks") == "6"


def test_cron_messages_carry_the_cron_tags_and_come_from_the_owner(net):
    pid = net.spawn("ticker", tags={"Cron-Interval": "1-minute", "Cron-Tag-Action": "Cron",
                                    "Cron-Tag-Extra": "x"})
    ev(net, pid, COUNTER)
    net.monitor(pid)
    net.clock.advance(60_000)
    assert net.run_until_idle(10)
    tick = net.log.query(process=pid, action="Cron")[0]
    assert tick["Cron"] is True and tick["From"] == tick["Owner"] == net.wallet.address
    assert {"name": "Extra", "value": "x"} in tick["Tags"]
    assert ev(net, pid, "#Ticks") == "1"


def test_monitor_needs_a_cron_interval_and_bad_intervals_are_refused(net):
    pid = net.spawn("plain")
    with pytest.raises(NetworkError, match="no Cron-Interval"):
        net.monitor(pid)
    with pytest.raises(ValueError, match="Invalid cron interval"):
        net.spawn("bad", tags={"Cron-Interval": "often"})


def test_monitoring_resumes_after_restart(tmp_path):
    from aosrepl.network import Network
    with Network(tmp_path, services=False, deterministic=True) as net:
        pid = net.spawn("ticker", tags={"Cron-Interval": "1-minute", "Cron-Tag-Action": "Cron"})
        ev(net, pid, COUNTER)
        net.monitor(pid)
        net.clock.advance(120_000)
        assert net.run_until_idle(10)
        assert ev(net, pid, "#Ticks") == "2"
    with Network(tmp_path, services=False, deterministic=True) as net:
        net.clock.advance(180_000)
        assert net.run_until_idle(10)
        assert ev(net, pid, "#Ticks") == "5"
        stamps = [int(x) for x in ev(net, pid, "table.concat(Ticks, ',')").split(",")]
        assert stamps == sorted(set(stamps))   # time went on across the restart
