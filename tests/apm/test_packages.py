"""packages.py: manifests are validated with clear messages; bundled packages publish dependencies first."""
from __future__ import annotations

import json

import pytest

from aosrepl import ids, services
from aosrepl.services import packages
from tests.apm.helpers import write_package


class RecordingNet:
    """Just the one call packages.py makes on the network: records what would be sent."""

    def __init__(self):
        self.sent = []

    def send(self, target, tags, data, signer=None, msg_id=None):
        self.sent.append({"target": target, "tags": tags, "data": json.loads(data), "signer": signer, "id": msg_id})
        return msg_id or ids.derived("recorded", str(len(self.sent)))


def test_bundled_packages_are_valid_and_herder_has_the_article_id():
    found = {(p.full_name, p.version): p for p in packages.discover()}
    assert ("@sam/Llama-Herder", "1.0.3") in found
    assert ("@apm/apm", "1.1.0") in found
    net = RecordingNet()
    packages.publish_all(net)
    by_name = {(m["data"]["Vendor"] + "/" + m["data"]["Name"], m["data"]["Version"]): m for m in net.sent}
    herder = by_name[("@sam/Llama-Herder", "1.0.3")]
    assert herder["id"] == ids.LLAMA_HERDER_PACKAGE_MSG
    assert herder["target"] == ids.APM_REGISTRY
    assert herder["signer"] == services.PACKAGE_PUBLISHER
    assert herder["tags"]["Action"] == "APM.Publish"
    pd = herder["data"]["PackageData"]
    assert pd["Main"] == "main.lua"
    assert [i["meta"]["name"] for i in pd["Items"]] == ["main.lua"]
    assert "return M" in pd["Items"][0]["data"]
    assert pd["Readme"].startswith("# @sam/Llama-Herder")
    client = by_name[("@apm/apm", "1.1.0")]
    assert client["id"] == ids.derived("aosrepl", "apm-package", "@apm/apm", "1.1.0")
    assert all(ids.is_id(m["id"]) for m in net.sent)


def test_publish_all_sends_dependencies_first(tmp_path):
    write_package(tmp_path, "@zz", "app", "1.0.0", "return {}", dependencies={"@aa/util": "1.0.0", "@mm/log": ""})
    write_package(tmp_path, "@aa", "util", "1.0.0", "return {}", dependencies={"@mm/log": "1.0.0"})
    write_package(tmp_path, "@mm", "log", "1.0.0", "return {}")
    write_package(tmp_path, "@mm", "log", "1.1.0", "return {}")
    net = RecordingNet()
    packages.publish_all(net, tmp_path)
    order = [(m["data"]["Vendor"] + "/" + m["data"]["Name"], m["data"]["Version"]) for m in net.sent]
    assert order == [("@mm/log", "1.0.0"), ("@mm/log", "1.1.0"), ("@aa/util", "1.0.0"), ("@zz/app", "1.0.0")]
    assert net.sent[-1]["data"]["PackageData"]["Dependencies"] == {"@aa/util": "1.0.0", "@mm/log": ""}


def test_items_hold_every_lua_file_sorted(tmp_path):
    folder = write_package(tmp_path, "@me", "multi", "0.1.0", "return require('multi.helper')",
                           extra_files={"multi/helper.lua": "return 1", "notes.txt": "not lua"})
    package = packages.load_package(folder)
    assert [path for path, _ in package.items] == ["main.lua", "multi/helper.lua"]


@pytest.mark.parametrize("fields, message", [
    ({"name": "bad name!"}, "bad name 'bad name!'"),
    ({"version": "1.0"}, "bad version '1.0' (expected x.y.z)"),
    ({"vendor": "NoAt"}, "bad vendor 'NoAt'"),
    ({"main": "missing.lua"}, "main file 'missing.lua' not found"),
    ({"dependencies": {"@x/y": "one"}}, "bad version 'one' for dependency @x/y"),
    ({"dependencies": {"bad name": "1.0.0"}}, "bad dependency name 'bad name'"),
    ({"readme": "NOPE.md"}, "readme file 'NOPE.md' not found"),
])
def test_bad_manifests_are_refused_with_a_clear_message(tmp_path, fields, message):
    folder = write_package(tmp_path, "@me", "pkg", "1.0.0", "return {}")
    manifest = json.loads((folder / "apm.json").read_text())
    manifest.update(fields)
    (folder / "apm.json").write_text(json.dumps(manifest))
    net = RecordingNet()
    with pytest.raises(packages.PackageError) as err:
        packages.publish_folder(net, folder)
    assert message in str(err.value)
    assert net.sent == []


def test_missing_folder_and_broken_json(tmp_path):
    with pytest.raises(packages.PackageError, match="not a directory"):
        packages.load_package(tmp_path / "nope")
    (tmp_path / "apm.json").write_text("{not json")
    with pytest.raises(packages.PackageError, match="not valid JSON"):
        packages.load_package(tmp_path)


def test_publish_folder_uses_a_fresh_id_and_the_given_signer(tmp_path):
    folder = write_package(tmp_path, "@me", "pkg", "1.0.0", "return {}")
    net = RecordingNet()
    mid = packages.publish_folder(net, folder, signer="S" * 43)
    assert ids.is_id(mid)
    assert net.sent[0]["id"] is None and net.sent[0]["signer"] == "S" * 43
