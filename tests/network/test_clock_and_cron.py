"""The virtual clock, timers and cron interval parsing."""
import pytest

from aosrepl.clock import VirtualClock, block_height_at, BLOCK_MS, ANCHOR_MS, ANCHOR_HEIGHT
from aosrepl.network.cron import parse_interval, cron_tags


def test_virtual_clock_fires_due_timers_in_order_at_their_own_time():
    clock = VirtualClock(1000)
    seen = []
    clock.call_at(3000, lambda: seen.append(("b", clock.now_ms())))
    clock.call_at(2000, lambda: seen.append(("a", clock.now_ms())))
    clock.call_at(9000, lambda: seen.append(("late", clock.now_ms())))
    assert clock.advance(2500) == 3500
    assert seen == [("a", 2000), ("b", 3000)]
    assert clock.now_ms() == 3500


def test_timer_scheduled_from_a_timer_fires_in_the_same_advance():
    clock = VirtualClock(0)
    seen = []

    def tick():
        seen.append(clock.now_ms())
        if len(seen) < 5:
            clock.call_at(clock.now_ms() + 10, tick)

    clock.call_at(10, tick)
    clock.advance(35)
    assert seen == [10, 20, 30]
    clock.advance(100)
    assert seen == [10, 20, 30, 40, 50]


def test_cancelled_timer_does_not_fire_and_clock_never_goes_back():
    clock = VirtualClock(0)
    seen = []
    clock.call_at(5, lambda: seen.append(1)).cancel()
    clock.advance(10)
    assert seen == []
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_block_height_follows_time():
    assert block_height_at(ANCHOR_MS) == ANCHOR_HEIGHT
    assert block_height_at(ANCHOR_MS + 3 * BLOCK_MS + 5) == ANCHOR_HEIGHT + 3


@pytest.mark.parametrize("text,ms", [("10-seconds", 10_000), ("1-second", 1000), ("1-minute", 60_000),
                                      ("2-Hours", 7_200_000), ("1-day", 86_400_000), ("3-blocks", 3 * BLOCK_MS)])
def test_parse_interval(text, ms):
    assert parse_interval(text) == ms


@pytest.mark.parametrize("text", ["", "10", "ten-seconds", "10-fortnights", "0-seconds", "-5-seconds"])
def test_parse_interval_rejects_bad_text_with_a_clear_message(text):
    with pytest.raises(ValueError, match="Invalid cron interval"):
        parse_interval(text)


def test_cron_tags_strip_the_prefix():
    tags = [{"name": "Cron-Interval", "value": "1-minute"}, {"name": "Cron-Tag-Action", "value": "Cron"},
            {"name": "Cron-Tag-Extra", "value": "x"}, {"name": "Name", "value": "n"}]
    assert cron_tags(tags) == [{"name": "Action", "value": "Cron"}, {"name": "Extra", "value": "x"}]


def test_system_clock_fires_timers_from_its_thread():
    import threading
    from aosrepl.clock import SystemClock
    clock = SystemClock()
    fired = threading.Event()
    order = []
    try:
        clock.call_at(clock.now_ms() + 30, lambda: (order.append("second"), fired.set()))
        clock.call_at(clock.now_ms() + 10, lambda: order.append("first"))
        assert fired.wait(10)
        assert order == ["first", "second"]
    finally:
        clock.close()
