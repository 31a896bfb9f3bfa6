"""The console's one seam (aosrepl/backend.py): the local Network and the RemoteNetwork both implement every
member of the Backend protocol, with parameters the console can pass to either."""
import inspect

import pytest

from aosrepl.backend import Backend
from aosrepl.network import Network
from aosrepl.remote.backend import RemoteConfig, RemoteNetwork

METHODS = [name for name, value in vars(Backend).items() if callable(value) and not name.startswith("_")]


@pytest.mark.parametrize("implementation", [Network, RemoteNetwork])
@pytest.mark.parametrize("name", METHODS)
def test_every_backend_method_is_implemented_with_its_parameters(implementation, name):
    wanted = inspect.signature(getattr(Backend, name)).parameters
    method = getattr(implementation, name, None)
    assert callable(method), f"{implementation.__name__} has no {name}"
    present = inspect.signature(method).parameters
    for parameter in wanted:
        assert parameter in present, f"{implementation.__name__}.{name} lacks the parameter {parameter!r}"


def test_both_networks_are_backends(tmp_path, wallet):
    remote = RemoteNetwork(wallet, RemoteConfig("http://127.0.0.1:1", "http://127.0.0.1:1", "http://127.0.0.1:1"))
    local = Network(tmp_path / "data", services=False)
    try:
        assert isinstance(remote, Backend) and remote.is_local is False
        assert isinstance(local, Backend) and local.is_local is True
    finally:
        local.close()
        remote.close()
