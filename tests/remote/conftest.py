import os

import pytest

from aosrepl.remote.wallet import ArweaveWallet
from tests.remote import wao


@pytest.fixture(scope="session")
def wallet():
    """One RSA-4096 wallet for the whole run (generating one takes a second or two)."""
    return ArweaveWallet.generate()


@pytest.fixture(scope="session")
def wao_units(tmp_path_factory):
    """The WAO servers on free loopback ports, for the whole run. Without the pinned install they cannot run:
    in CI (`make test` installs them) that is a failure; elsewhere a skip that says how to install them."""
    why = wao.missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"the WAO servers are needed in CI: {why}")
        pytest.skip(why)
    server = wao.WaoServer(tmp_path_factory.mktemp("wao"))
    units = server.start()
    yield units
    server.stop()
