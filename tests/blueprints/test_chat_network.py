"""`chat` clients talking through a `chatroom` process on the real local network."""
import pytest

from aosrepl.network import Network
from tests.token.support import BLUEPRINTS, plain


@pytest.fixture
def net(tmp_path):
    network = Network(tmp_path / "net", deterministic=True, services=False)
    yield network
    network.close()


def test_two_clients_chat_through_a_room(net):
    room, alice, bob = net.spawn("lobby"), net.spawn("alice"), net.spawn("bob")
    net.eval(room, (BLUEPRINTS / "chatroom.lua").read_text())
    for client in (alice, bob):
        net.eval(client, (BLUEPRINTS / "chat.lua").read_text())
        net.eval(client, f'Rooms.Lobby = "{room}"')
    seen = {alice: [], bob: []}
    for client in (alice, bob):
        net.subscribe(client, lambda pid, result: seen[pid].append(plain(result["Output"].get("data", ""))))

    def shown(pid):   # the console shows non-empty outputs only (the room's "Broadcasted." ack is silent)
        return [line for line in seen[pid] if line]

    assert plain(net.eval(alice, 'Join("Lobby", "alice")')["Output"]["data"]) == "Registering with Lobby..."
    net.eval(bob, 'Join("Lobby", "bob")')
    assert net.run_until_idle(timeout=30)
    assert (shown(alice), shown(bob)) == (["Joined Lobby"], ["Joined Lobby"])

    net.eval(alice, 'Say("hello bob")')
    assert net.run_until_idle(timeout=30)
    assert shown(bob)[1:] == ["[Lobby] alice: hello bob"]
    assert shown(alice)[1:] == ["[Lobby] alice: hello bob"]
    members = plain(net.eval(room, "require('json').encode(Members)")["Output"]["data"])
    assert members == f'["{alice}","{bob}"]'
    # nothing from the room piled up in the clients' Inboxes (only their spawn messages)
    assert plain(net.eval(bob, "#Inbox")["Output"]["data"]) == "1"
