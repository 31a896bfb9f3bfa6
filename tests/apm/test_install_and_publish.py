"""APM on the real local network: dependencies first, clear errors, newer versions, publishing from Lua
and from a folder (`aos --publish`), installing into another process."""
from __future__ import annotations

import json

import pytest

from aosrepl.services import BLUEPRINTS_DIR, packages
from tests.apm.helpers import write_package

RECORD = 'LOAD_ORDER = LOAD_ORDER or {}; table.insert(LOAD_ORDER, "{name}"); '


def load_client(play, pid=None, update=True):
    assert play.eval((BLUEPRINTS_DIR / "apm.lua").read_text(), pid) == ["📦 Loaded APM Client"]
    if update:
        play.eval("APM.update()", pid)
        play.live()
        assert play.value("APM._version", pid) == "1.1.0"


def downloading(play, name, version):
    """The two lines the client prints when it fetches the publish message of name@version."""
    for message in play.net.log.query(action="APM.Publish"):
        data = json.loads(message["Data"])
        if (data["Vendor"] + "/" + data["Name"], data["Version"]) == (name, version):
            return [f"📦 Downloading package {message['Id']} | {name}@{version}", "Assignment added to outbox."]
    raise AssertionError(f"no publish message for {name}@{version}")


def test_dependencies_are_installed_first(play, tmp_path):
    write_package(tmp_path, "@t", "log", "1.0.0", RECORD.replace("{name}", "log") + 'return { name = "log" }')
    write_package(tmp_path, "@t", "util", "1.0.0",
                  RECORD.replace("{name}", "util") + 'return { name = "util", log = require("@t/log").name }',
                  dependencies={"@t/log": "1.0.0"})
    write_package(tmp_path, "@t", "app", "1.0.0",
                  RECORD.replace("{name}", "app") + 'return { util = require("@t/util") }',
                  dependencies={"@t/util": "", "@t/log": "1.0.0"})
    for package in packages.discover(tmp_path):
        packages.publish_folder(play.net, package.folder, wait=True)
    load_client(play)
    assert play.type('APM.install("@t/app")') == (
        ["📤 Download request sent"] + downloading(play, "@t/log", "1.0.0")
        + downloading(play, "@t/util", "1.0.0") + downloading(play, "@t/app", "1.0.0"))
    assert play.value("LOAD_ORDER") == '{ "log", "util", "app" }'
    assert play.value('require("@t/app").util.log') == "log"
    assert play.value('APM.installed["@t/util"] .. " " .. APM.installed["@t/log"]') == "1.0.0 1.0.0"
    # installed dependencies are not fetched again
    assert play.type('APM.install("@t/app")') == ["📤 Download request sent"] + downloading(play, "@t/app", "1.0.0")


def test_unknown_package_or_bad_name_changes_nothing(play):
    load_client(play)
    before = play.value("#ao.assignables .. ' ' .. #Inbox")
    assert play.type('APM.install("@nobody/nothing")') == [
        "📤 Download request sent", "❌ Package @nobody/nothing not found"]
    assert play.type('APM.install("bad name!")') == ["📤 Download request sent", "❌ Invalid package name: bad name!"]
    assert play.type('APM.install("@sam/Llama-Herder@1.x")') == ["📤 Download request sent", "❌ Invalid version: 1.x"]
    assert play.type('APM.install("@sam/Llama-Herder@9.9.9")') == [
        "📤 Download request sent", "❌ Version 9.9.9 of @sam/Llama-Herder not found"]
    assert play.value("#ao.assignables .. ' ' .. #Inbox") == before
    assert play.value("APM.installed") == "{  }"
    error = play.eval("APM.install(42)")
    assert len(error) == 1 and "Package name must be a non-empty string" in error[0]


def test_a_newer_version_is_what_install_takes(play, tmp_path):
    old = write_package(tmp_path, "@t", "greet", "1.0.0", 'return { v = "1.0.0" }')
    new = write_package(tmp_path, "@t", "greet", "1.10.0", 'return { v = "1.10.0" }')
    stale = write_package(tmp_path, "@t", "greet", "1.9.0", 'return { v = "1.9.0" }')
    packages.publish_folder(play.net, old, wait=True)
    load_client(play)
    play.type('APM.install("@t/greet")')
    assert play.value('require("@t/greet").v') == "1.0.0"
    packages.publish_folder(play.net, new, wait=True)
    assert play.type('APM.install("@t/greet")')[1].endswith("| @t/greet@1.10.0")
    assert play.value('require("@t/greet").v .. " " .. APM.installed["@t/greet"]') == "1.10.0 1.10.0"
    with pytest.raises(packages.PackageError, match="must be greater than the latest 1.10.0"):
        packages.publish_folder(play.net, stale, wait=True)
    with pytest.raises(packages.PackageError, match="@t/greet@1.0.0 is already published"):
        packages.publish_folder(play.net, old, wait=True)
    play.type('APM.install("@t/greet@1.0.0")')
    assert play.value('require("@t/greet").v') == "1.0.0"


def test_publish_from_lua_then_install_into_another_process(play):
    load_client(play)
    item = '{ { meta = { name = "main.lua" }, data = "return { hi = function() return \'hi\' end }" } }'
    code = f'APM.publish(generate_package_data("hello", "@me", "1.0.0", "# hello", "says hi", "main.lua", {{}}, "", {item}))'
    assert play.type(code) == ["📤 Publish request sent", "🎉 Published @me/hello@1.0.0"]
    assert play.type('APM.publish(generate_package_data("hello", "@me", "1.0.0", "", "", "main.lua", {}, "", {}))') == [
        "📤 Publish request sent", "❌ Package has no Items"]
    other = play.spawn("other")
    load_client(play, other)
    assert play.type('APM.install("@me/hello")', other)[-1] == "Assignment added to outbox."
    assert play.value('require("@me/hello").hi()', other) == "hi"
    # the vendor now belongs to the first process: the other one cannot publish under it
    assert play.type('APM.publish(generate_package_data("x", "@me", "1.0.0", "", "", "main.lua", {}, "", '
                     '{ { meta = { name = "main.lua" }, data = "return 1" } }))', other) == [
        "📤 Publish request sent", "❌ Vendor @me belongs to another address"]


def test_old_client_is_told_to_update(play):
    load_client(play, update=False)
    assert play.type('APM.install("@sam/Llama-Herder")') == [
        "📤 Download request sent",
        "⚠️ APM client 1.0.2 cannot install packages: run APM.update() to get client 1.1.0, then install again"]


def test_lua_publish_with_dependencies_installs_them_first(play):
    load_client(play)
    base = ('APM.publish(generate_package_data("base", "@me", "1.0.0", "", "", "main.lua", {}, "", '
            '{ { meta = { name = "main.lua" }, data = "ORDER = (ORDER or \'\') .. \'base \'; return 1" } }))')
    top = ('APM.publish(generate_package_data("top", "@me", "1.0.0", "", "", "main.lua", { ["@me/base"] = "1.0.0" }, '
           '"", { { meta = { name = "main.lua" }, data = "ORDER = ORDER .. \'top\'; return require(\'@me/base\') + 1" } }))')
    assert play.type(base)[-1] == "🎉 Published @me/base@1.0.0"
    assert play.type(top)[-1] == "🎉 Published @me/top@1.0.0"
    bad = ('APM.publish(generate_package_data("bad", "@me", "1.0.0", "", "", "main.lua", { ["@me/ghost"] = "" }, '
           '"", { { meta = { name = "main.lua" }, data = "return 1" } }))')
    assert play.type(bad)[-1] == "❌ Package @me/ghost not found"
    other = play.spawn("other")
    load_client(play, other)
    lines = play.type('APM.install("@me/top")', other)
    assert [line.split(" | ")[-1] for line in lines if line.startswith("📦 Downloading")] == [
        "@me/base@1.0.0", "@me/top@1.0.0"]
    assert play.value('ORDER .. " " .. require("@me/top")', other) == "base top 2"


def test_updating_the_client_again_keeps_the_installed_list(play):
    load_client(play)
    play.type('APM.install("@sam/Llama-Herder")')
    play.type("APM.update()")
    assert play.value("APM.installed") == '{\n   @sam/Llama-Herder = "1.0.3"\n}'


def test_a_broken_package_reports_clearly_and_installs_nothing(play, tmp_path):
    write_package(tmp_path, "@t", "boom", "1.0.0", 'error("kaboom")')
    write_package(tmp_path, "@t", "typo", "1.0.0", "return {")
    for package in packages.discover(tmp_path):
        packages.publish_folder(play.net, package.folder, wait=True)
    load_client(play)
    sent = play.eval('APM.install("@t/boom")')
    assert play.live()[-1] == "Assignment added to outbox."
    assert play.value('APM.installed["@t/boom"] == nil and package.loaded["@t/boom"] == nil') == "true"
    # the package's own result (an assignment) says why
    errors = [r for r in _assignment_outputs(play) if "kaboom" in r]
    assert sent == ["📤 Download request sent"]
    assert errors[-1].split("\n") == ["ℹ️ Attempting to load @t/boom@1.0.0 package", "APM.Publish - @t/boom:1: kaboom"]
    play.type('APM.install("@t/typo")')
    outputs = _assignment_outputs(play)
    assert "APM.Publish - Error compiling load function: " in outputs[-1]
    assert play.value('APM.installed["@t/typo"] == nil') == "true"


def _assignment_outputs(play):
    """Output of every assignment the process handled (the live feed leaves them out)."""
    out = []
    for _, _, message in play.net.log.history(play.pid, 0):
        if message["Target"] != play.pid:
            result = play.net.log.result_of(play.pid, message["Id"])
            out.append(((result or {}).get("Output") or {}).get("data", ""))
    return out
