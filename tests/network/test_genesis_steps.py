"""Genesis is idempotent: every step is redone at the next start until it is logged, so a start cut short (a
kill, a failure while publishing) leaves a data dir that the next start completes."""
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from aosrepl import ids, services
from aosrepl.network import Network, genesis
from aosrepl.services import packages

CHILD = Path(__file__).parent / "genesis_kill_child.py"
BUNDLED = {"@apm/apm", "@sam/Llama-Herder"}


def owner_eval(net, pid, code):
    result = net.eval(pid, code, signer=services.SERVICE_OWNER, timeout=60)
    assert "Error" not in result, result
    return result["Output"].get("data", "")


def published(net, registry=ids.APM_REGISTRY) -> set:
    listing = owner_eval(net, registry, "table.concat(APMRegistry.packageOrder, ',')")
    return set(listing.split(",")) - {""}


def assert_genesis_complete(net):
    assert net.run_until_idle(60)
    assert owner_eval(net, ids.WAR_TOKEN, f'Balances["{net.wallet.address}"]') == genesis.MINT_AMOUNT   # minted once
    assert owner_eval(net, ids.WAR_TOKEN, "TotalSupply") == genesis.MINT_AMOUNT
    for registry in services.APM_REGISTRIES:
        assert published(net, registry) >= BUNDLED
    assert owner_eval(net, ids.LLAMA_HERDER, "type(FeeNeeded)") == "function"
    assert net.notices == []


def genesis_message_count(tmp_path) -> int:
    done = subprocess.run([sys.executable, str(CHILD), str(tmp_path / "count"), "0"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.split()[-1])


def test_every_genesis_step_is_logged_once_over_restarts(tmp_path):
    data = tmp_path / "data"
    with Network(data, workers=0) as net:
        assert_genesis_complete(net)
        logged = len(net.log.query())
    with Network(data, workers=0) as net:
        assert net.run_until_idle(60)
        assert len(net.log.query()) == logged         # the second start sent nothing again
        assert_genesis_complete(net)


@pytest.mark.parametrize("kill_after", [1, 2, 3, 4, 5, 10, 12, 15])
def test_a_start_killed_during_genesis_is_completed_by_the_next(tmp_path, kill_after):
    # The steps, in order: wAR spawn, its source, the mint; each registry's spawn and source (three
    # registries); the herder's spawn and source; then one publish per bundled package and registry.
    data = tmp_path / "data"
    child = subprocess.run([sys.executable, str(CHILD), str(data), str(kill_after)], capture_output=True,
                           text=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stdout + child.stderr[-2000:]
    with Network(data, workers=0) as net:
        assert_genesis_complete(net)


def test_the_kill_points_cover_every_kind_of_step(tmp_path):
    publishes = len(services.APM_REGISTRIES) * len(packages.discover())
    assert genesis_message_count(tmp_path) == 2 * len(services.core_services()) + 1 + publishes
    assert len(services.core_services()) == 5 and publishes > 3   # the kill points above end among the publishes


def test_a_failed_publishing_is_redone_at_the_next_start(tmp_path, monkeypatch):
    """The start-up race used to fail the publishing and mark it done anyway: @apm/apm was never found."""
    data = tmp_path / "data"

    def broken(*_args):
        raise AttributeError("partially initialized module 'typing' has no attribute 'ClassVar'")

    with monkeypatch.context() as patched:
        patched.setattr(packages, "discover", broken)
        with Network(data, workers=0) as net:
            assert net.run_until_idle(60)
            assert published(net) == set()
            assert net.notices == ["Publishing the bundled packages failed: AttributeError: partially initialized "
                                   "module 'typing' has no attribute 'ClassVar'"]
    with Network(data, workers=0) as net:
        assert_genesis_complete(net)


def test_a_data_dir_marked_published_without_packages_repairs_itself(tmp_path, monkeypatch):
    """Data dirs damaged before the fix carry the old 'publishing done' flag with no package published."""
    data = tmp_path / "data"
    with monkeypatch.context() as patched:
        patched.setattr(genesis, "_publish_packages", lambda net: net.log.set_meta("genesis:packages", "1"))
        with Network(data, workers=0) as net:
            assert net.run_until_idle(60)
            assert published(net) == set()
    with Network(data, workers=0) as net:
        assert_genesis_complete(net)
