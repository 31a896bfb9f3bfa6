import os

import pytest

from aosrepl.remote.wallet import ArweaveWallet
from tests.remote import wao


@pytest.fixture(scope="session")
def wallet():
    """One RSA-4096 wallet for the whole run (generating one takes a second or two)."""
    return ArweaveWallet.generate()


def require_node_tools():
    """Without the pinned install (node, wao, arbundles) these tests cannot run: in CI (`make test` installs
    it) that is a failure; elsewhere a skip that says how to install it."""
    why = wao.missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"the pinned node tools are needed in CI: {why}")
        pytest.skip(why)


@pytest.fixture(scope="session")
def node_binary():
    require_node_tools()
    return wao.node_binary()


@pytest.fixture(scope="session")
def wao_units(tmp_path_factory):
    """The WAO servers on free loopback ports, for the whole run."""
    require_node_tools()
    server = wao.WaoServer(tmp_path_factory.mktemp("wao"))
    units = server.start()
    yield units
    server.stop()
