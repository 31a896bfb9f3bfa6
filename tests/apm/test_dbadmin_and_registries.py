"""@rakis/DbAdmin from the local registry in an aos-sqlite process, and the registry at the ids later aos
versions use (v1 requests answered there too; apm v2 downloads get the package source)."""
from __future__ import annotations

from aosrepl import ids, services
from aosrepl.services import BLUEPRINTS_DIR, PACKAGES_DIR


def test_dbadmin_installs_and_works_in_an_aos_sqlite_process(play):
    pid = play.spawn("ledger", module=ids.AOS_SQLITE_MODULE_ID)
    play.eval((BLUEPRINTS_DIR / "apm.lua").read_text(), pid)
    play.type("APM.update()", pid)
    lines = play.type('APM.install("@rakis/DbAdmin")', pid)
    assert any(line.startswith("📦 Downloading package") and "@rakis/DbAdmin@1.0.0" in line for line in lines)
    assert play.value('type(package.loaded["@rakis/DbAdmin"])', pid) == "table"
    assert play.value('DbAdmin = require("@rakis/DbAdmin").new(require("lsqlite3").open_memory()) '
                      'return #DbAdmin:exec("CREATE TABLE Jokes (Id INTEGER PRIMARY KEY, Text TEXT, Votes INTEGER)")',
                      pid) == "0"
    assert play.value('DbAdmin:apply("INSERT INTO Jokes (Text, Votes) VALUES (?, ?)", { "llama pun", 3 }) '
                      'DbAdmin:apply("INSERT INTO Jokes (Text, Votes) VALUES (?, ?)", { "alpaca pun", 5 }) '
                      'return table.concat(DbAdmin:tables(), ",") .. " " .. DbAdmin:count("Jokes")', pid) == "Jokes 2"
    assert play.value('local rows = DbAdmin:select("SELECT Text, Votes FROM Jokes WHERE Votes > ?", { 4 }) '
                      'return #rows .. " " .. rows[1].Text .. " " .. math.type(rows[1].Votes)', pid) == "1 alpaca pun integer"
    assert play.value('local rows = DbAdmin:exec("SELECT SUM(Votes) AS total FROM Jokes") return rows[1].total', pid) == "8"
    failed = play.value('return select(2, pcall(DbAdmin.apply, DbAdmin, "INSERT INTO Nope VALUES (?)", { 1 }))', pid)
    assert "Failed to prepare statement: no such table: Nope" in failed
    failed = play.value('return select(2, pcall(DbAdmin.apply, DbAdmin, "INSERT INTO Jokes (Id) VALUES (?)", { 1 }))',
                        pid)
    assert "INSERT INTO Jokes (Id) VALUES (?) statement failed because UNIQUE constraint failed: Jokes.Id" in failed
    assert "values MUST be an array of values" in play.value(
        'return select(2, pcall(DbAdmin.select, DbAdmin, "SELECT 1", "x"))', pid)


def wallet_answer(net, registry, action, request_id):
    for message in net.wallet_inbox():
        tags = {t["name"]: t["value"] for t in message["Tags"]}
        if message["From"] == registry and tags.get("Request-Id") == request_id:
            assert tags["Action"] == action
            return tags, message["Data"]
    raise AssertionError(f"no {action} from {registry}")


def test_registries_at_later_ids_exist_and_answer(play):
    net = play.net
    processes = {p.id: p for p in net.processes()}
    for registry in services.APM_REGISTRIES:
        assert processes[registry].owner == services.SERVICE_OWNER
        # a v1 request (the client sends its Version) is answered as the v1 registry does
        mid = net.send(registry, {"Action": "APM.Info", "Version": "1.1.0"}, "@sam/Llama-Herder")
        assert net.run_until_idle(60)
        tags, data = wallet_answer(net, registry, "APM.InfoResponse", mid)
        assert tags["Result"] == "success" and data.startswith("📦 @sam/Llama-Herder@1.0.3")
        mid = net.send(registry, {"Action": "APM.Download", "Version": "1.1.0"}, "@rakis/DbAdmin")
        assert net.run_until_idle(60)
        tags, data = wallet_answer(net, registry, "APM.DownloadResponse", mid)
        assert tags["AssignableName"] == "@rakis/DbAdmin@1.0.0" and ids.is_id(data)


def test_later_registries_send_apm_v2_clients_the_source(play):
    net = play.net
    source = (PACKAGES_DIR / "@rakis" / "DbAdmin" / "main.lua").read_text()
    for registry in (ids.APM_REGISTRY_V2, ids.APM_REGISTRY_V3):
        mid = net.send(registry, {"Action": "APM.Download"}, "@rakis/DbAdmin")
        assert net.run_until_idle(60)
        tags, data = wallet_answer(net, registry, "APM.DownloadResponse", mid)
        assert (tags["Name"], tags["Version"], tags["Result"]) == ("@rakis/DbAdmin", "1.0.0", "success")
        assert (tags["Dependencies"], tags["Warnings"], tags["LatestClientVersion"]) == ("{}", "{}", "1.1.0")
        assert bytes.fromhex(data).decode() == source
