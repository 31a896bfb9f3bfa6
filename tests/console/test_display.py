"""When the console writes colour codes: only on a terminal, unless told otherwise."""
import io

import pytest

from aosrepl.console.display import color_enabled


class Tty(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("env, stream, mode, expected", [
    ({}, Tty(), "auto", True),
    ({}, io.StringIO(), "auto", False),                       # a pipe or a file: no codes
    ({"NO_COLOR": "1"}, Tty(), "auto", False),
    ({"FORCE_COLOR": "1"}, io.StringIO(), "auto", True),       # e.g. into `less -R`
    ({"FORCE_COLOR": "0"}, Tty(), "auto", False),
    ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, Tty(), "auto", False),
    ({"NO_COLOR": "1"}, io.StringIO(), "always", True),        # the flag decides outright
    ({"FORCE_COLOR": "1"}, Tty(), "never", False),
    ({}, None, "auto", True),                                  # the console core on its own: env only
])
def test_colour_decision(env, stream, mode, expected):
    assert color_enabled(env, stream, mode) is expected


def test_a_closed_stream_means_no_colour():
    stream = io.StringIO()
    stream.close()
    assert color_enabled({}, stream) is False
