"""The colours of the Lua typed at the prompt, built from the terminal's own 16 ANSI colours.

The user's terminal theme decides what `ansigreen` looks like, and themes are made so that those colours
read well on their own background, dark or light. Pygments' default style instead asks for fixed RGB
colours (#0000ff for `Send`, #19177c for names), which prompt_toolkit maps to 256-colour blues that are
close to unreadable on a black background. So every token class here is one of the ANSI colours that no
common theme uses for its background or makes nearly invisible on it: not black, white, bright black
(Solarized's background) or blue and yellow (too dark on black, too pale on white). Anything not listed
keeps the terminal's default text colour."""
from __future__ import annotations

from prompt_toolkit.styles import Style

# The ANSI colour names the code style may use (see the module doc for the ones it avoids).
READABLE_ANYWHERE = ("ansigreen", "ansimagenta", "ansicyan", "ansired")

CODE_STYLE_RULES = {
    "pygments.keyword": "ansimagenta bold",
    "pygments.keyword.constant": "ansimagenta nobold",    # nil, true, false
    "pygments.name.builtin": "ansicyan",             # print, require, ...
    "pygments.literal.string": "ansigreen",
    "pygments.literal.number": "ansicyan",
    "pygments.comment": "italic",
    "pygments.error": "ansired",
}


def code_style() -> Style:
    return Style.from_dict(CODE_STYLE_RULES)
