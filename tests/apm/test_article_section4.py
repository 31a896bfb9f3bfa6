"""article-transcript.md §4 on the real local network: load APM, update it, install Llama-Herder."""
from __future__ import annotations

import re

from aosrepl.services import BLUEPRINTS_DIR

LLAMA_LINES = {
    "feeBase = 0,", "getPrices = function: 0x0,", "feeBump = 1.005,",
    'herder = "wh5vB2IbqmIBUqgodOaTvByNFDPr73gbUq1bVOUtCrw",', "calculateFee = function: 0x0,",
    "run = function: 0x0,", "Reference = 0,", "printResponses = true,", "lastMultiplier = 0,",
    "feeToken = 0,", "queueLength = 0,", 'token = "xU9zFkq3X2ZQ6olwNVvr1vUWIjc3kXTWr7xKQD6dh10",',
    "inferenceCallbacks = {  },",
}


def test_article_section_4_line_by_line(play):
    assert play.eval((BLUEPRINTS_DIR / "apm.lua").read_text()) == ["📦 Loaded APM Client"]
    assert play.type("APM.update()") == [
        "📤 Update request sent",
        "ℹ️ Attempting to load client 1.1.0",
        "📦 Loaded APM Client",
        "✨ Client has been updated to 1.1.0",
    ]
    assert play.type('APM.install("@sam/Llama-Herder")') == [
        "📤 Download request sent",
        "📦 Downloading package bKy3WSRCw5P0G4lOBtkwpChHSl8woPKh7FTUXvOCLrs | @sam/Llama-Herder@1.0.3",
        "Assignment added to outbox.",
    ]
    assert play.type('Llama = require("@sam/Llama-Herder")') == []
    lines = play.eval("Llama")
    assert lines[0] == "{" and lines[-1] == "}"
    body = [re.sub(r"function: 0x[0-9a-f]+", "function: 0x0", line.strip()) for line in lines[1:-1]]
    body[-1] += ","   # no comma after the last entry
    assert sorted(body) == sorted(LLAMA_LINES)
    assert all(line.startswith("   ") for line in lines[1:-1])
    assert play.value("APM.installed") == '{\n   @sam/Llama-Herder = "1.0.3"\n}'
    assert play.value("APM._version") == "1.1.0"
