"""The registry's other requests as a client sees them: info, search, popular, vendors, transfer,
uninstall; code that was not asked for is never run; the registry survives a restart."""
from __future__ import annotations

from aosrepl import ids
from aosrepl.services import BLUEPRINTS_DIR
from tests.apm.playground import Playground

HERDER = "@sam/Llama-Herder"
DESCRIPTION = "Run language-model inference on AO: pay the Llama herder in wAR, get the generated text back."


def client(play, pid=None):
    play.eval((BLUEPRINTS_DIR / "apm.lua").read_text(), pid)
    play.type("APM.update()", pid)


def test_info_search_and_popular(play):
    client(play)
    lines = play.type(f'APM.info("{HERDER}")')
    assert lines[0] == "📤 Fetching package info"
    assert lines[1:4] == [f"📦 {HERDER}@1.0.3", f"📄 {DESCRIPTION}", "🔖 Versions: 1.0.3"]
    assert lines[-1] == f"🆔 {ids.LLAMA_HERDER_PACKAGE_MSG}"
    assert play.type('APM.info("@sam/Nope")') == ["📤 Fetching package info", "❌ Package @sam/Nope not found"]
    assert play.type('APM.search("llama")') == [
        "📤 Searching for packages", "", f"@sam/Llama-Herder - {DESCRIPTION}", ""]
    assert play.type('APM.search("zzz")') == ["📤 Searching for packages", "No packages found"]
    play.type(f'APM.install("{HERDER}")')
    popular = play.type("APM.popular()")
    assert popular[0] == "📤 Fetching top 50 downloaded packages"
    assert popular[2] == f"@sam/Llama-Herder - {DESCRIPTION} - https://github.com/permaweb/llama-herder"
    assert popular[3].startswith("@apm/apm - The APM client")


def test_vendors_and_transfer(play):
    client(play)
    assert play.type('APM.registerVendor("mine")') == ["📤 Vendor registration request sent", "🎉 Registered @mine"]
    assert play.type('APM.registerVendor("@mine")') == [
        "📤 Vendor registration request sent", "❌ Vendor @mine is already registered"]
    assert play.type('APM.registerVendor("Bad Name")') == [
        "📤 Vendor registration request sent", "❌ Invalid vendor name: @Bad Name (use @ and a-z, 0-9, -)"]
    assert play.type(f'APM.transfer("{HERDER}", "{"x" * 43}")') == [
        "📤 Transfer request sent", "❌ @sam/Llama-Herder belongs to another address"]
    code = ('APM.publish(generate_package_data("p", "@mine", "0.1.0", "", "", "main.lua", {}, "", '
            '{ { meta = { name = "main.lua" }, data = "return 1" } }))')
    assert play.type(code)[-1] == "🎉 Published @mine/p@0.1.0"
    assert play.type(f'APM.transfer("@mine/p", "{"x" * 43}")') == [
        "📤 Transfer request sent", f"🎉 Transferred @mine/p to {'x' * 43}"]
    assert play.type('APM.transfer("@mine/p", "nobody")') == [
        "📤 Transfer request sent", "❌ Transfer needs a To tag with the new owner's address"]


def test_uninstall(play):
    client(play)
    assert play.value(f'APM.uninstall("{HERDER}")') == "❌ Package is not installed"
    play.type(f'APM.install("{HERDER}")')
    assert play.value(f'APM.uninstall("{HERDER}")') == "📦 Package has been uninstalled"
    assert play.value(f'package.loaded["{HERDER}"] == nil and APM.installed["{HERDER}"] == nil') == "true"


def test_a_publish_message_sent_directly_is_never_loaded(play):
    client(play)
    data = play.net.get_message(ids.LLAMA_HERDER_PACKAGE_MSG)["Data"]
    play.net.send(play.pid, {"Action": "APM.Publish"}, data)
    lines = play.live()
    assert len(lines) == 1 and lines[0].startswith("❌ Ignored an APM.Publish message from")
    assert play.value(f'package.loaded["{HERDER}"] == nil') == "true"


def test_the_registry_keeps_its_packages_across_a_restart(tmp_path):
    first = Playground(tmp_path / "net")
    client(first)
    first.type('APM.publish(generate_package_data("kept", "@me", "1.0.0", "", "", "main.lua", {}, "", '
               '{ { meta = { name = "main.lua" }, data = "return 7" } }))')
    first.close()
    again = Playground(tmp_path / "net")
    publishes = again.net.log.query(action="APM.Publish")
    assert sum(m["Id"] == ids.LLAMA_HERDER_PACKAGE_MSG for m in publishes) == 1   # genesis published once
    assert again.type('APM.install("@me/kept")')[-1] == "Assignment added to outbox."
    assert again.value('require("@me/kept")') == "7"
    again.close()


def test_responses_from_anyone_but_the_registry_are_refused(play):
    client(play)
    play.net.send(play.pid, {"Action": "APM.UpdateClientResponse"}, '{"Version": "6.6.6"}')
    assert play.live() == ["APM.UpdateClientResponse - Invalid client package source process"]
    play.net.send(play.pid, {"Action": "APM.DownloadResponse", "AssignableName": "@x/y@1.0.0"}, "x" * 43)
    assert play.live() == ["APM.DownloadResponse - Invalid package source process"]
    assert play.value("APM._version .. ' ' .. #ao.assignables") == "1.1.0 0"
