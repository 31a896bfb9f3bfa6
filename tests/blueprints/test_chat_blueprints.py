"""The `chatroom` blueprint (a room) and the `chat` blueprint (a client of rooms) on single processes."""
import pytest

from aosrepl.runtime.testing import AUTHORITY
from tests.token.support import BLUEPRINTS, boot_with_blueprints, make_id, plain, tag_map

ALICE = make_id("alice")
BOB = make_id("bob")


@pytest.fixture
def room():
    return boot_with_blueprints("chatroom", name="lobby")


def register(room, member, nickname=None):
    tags = {"Nickname": nickname} if nickname else None
    return room.send("Register", sender=member, owner=AUTHORITY, tags=tags)[0]


def test_register_replies_and_lists_each_member_once(room):
    reply = register(room, ALICE, "alice")["Messages"][0]
    assert reply["Target"] == ALICE and reply["Data"] == "registered"
    register(room, BOB)
    register(room, ALICE, "alice")
    assert room.json("Members") == [ALICE, BOB]


def test_broadcast_reaches_every_member(room):
    register(room, ALICE, "alice")
    register(room, BOB)
    result, _ = room.send("Broadcast", sender=ALICE, owner=AUTHORITY, data="hello room")
    *deliveries, ack = result["Messages"]
    assert [m["Target"] for m in deliveries] == [ALICE, BOB]
    for delivery in deliveries:
        assert delivery["Data"] == "hello room"
        assert "Action" not in tag_map(delivery)           # a plain process sees `Data = hello room`
        assert tag_map(delivery)["Broadcaster"] == ALICE
        assert tag_map(delivery)["Nickname"] == "alice"
    assert ack["Target"] == ALICE and ack["Data"] == "Broadcasted."


def test_unregister(room):
    register(room, ALICE)
    register(room, BOB)
    reply = room.send("Unregister", sender=ALICE, owner=AUTHORITY)[0]["Messages"][0]
    assert reply["Data"] == "unregistered"
    assert room.json("Members") == [BOB]


def test_reloading_keeps_members(room):
    register(room, ALICE)
    room.load(BLUEPRINTS / "chatroom.lua")
    assert room.json("Members") == [ALICE]


@pytest.fixture
def client():
    return boot_with_blueprints("chat", name="alice")


def test_join_registers_with_the_room(client):
    room_id = make_id("room")
    result = client.eval(f'Join("{room_id}", "alice")')
    assert plain(result["Output"]["data"]) == f"Registering with {room_id[:3]}...{room_id[-3:]}..."
    (register_msg,) = result["Messages"]
    assert register_msg["Target"] == room_id
    assert tag_map(register_msg)["Action"] == "Register"
    assert tag_map(register_msg)["Nickname"] == "alice"
    assert client.value("CurrentRoom") == room_id


def test_say_and_list_use_named_rooms(client):
    room_id = make_id("room")
    client.eval(f'Rooms.Lobby = "{room_id}"')
    client.eval('Join("Lobby", "alice")')
    result = client.eval('Say("hi all")')
    assert plain(result["Output"]["data"]) == "Broadcasting to Lobby..."
    (say,) = result["Messages"]
    assert (say["Target"], say["Data"], tag_map(say)["Action"]) == (room_id, "hi all", "Broadcast")
    assert client.value("List()") == f"Known rooms:\n  Lobby: {room_id} (current)"


def test_incoming_broadcasts_print_as_chat_lines(client):
    room_id = make_id("room")
    client.eval(f'Rooms.Lobby = "{room_id}"')
    inbox = client.value("#Inbox")
    result, _ = client.send(None, sender=room_id, owner=AUTHORITY, data="hello alice",
                            tags={"Broadcaster": BOB, "Nickname": "bob"})
    assert plain(result["Output"]["data"]) == "[Lobby] bob: hello alice"
    result, _ = client.send(None, sender=room_id, owner=AUTHORITY, data="registered")
    assert plain(result["Output"]["data"]) == "Joined Lobby"
    assert client.value("#Inbox") == inbox           # chat lines do not fill the Inbox


def test_messages_from_unknown_processes_still_reach_the_inbox(client):
    inbox = int(client.value("#Inbox"))
    result, _ = client.send(None, sender=BOB, owner=AUTHORITY, data="hi", tags={"Broadcaster": BOB})
    assert plain(result["Output"]["data"]).startswith("New Message From")
    assert int(client.value("#Inbox")) == inbox + 1


def test_helpers_explain_bad_input(client):
    assert client.value('Say("x")') == "No room joined yet: use Join(room, nickname) first."
    assert client.value('Join("Nowhere")').startswith("Unknown room: Nowhere.")
    assert client.value("Join(42)") == "A room is a name from Rooms or a process id."
    assert client.value("List()").startswith("No known rooms.")
    client.eval(f'Join("{make_id("room")}", "alice")')
    assert client.value("Say({})") == "Nothing to say: Say(text[, room])."
    assert client.value('Join(CurrentRoom, 7)') == "A nickname is a string."
