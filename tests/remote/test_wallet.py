"""The Arweave wallet: JWK files as arweave-js writes them, addresses, signatures, the generated default."""
import json
import os
import stat
from pathlib import Path

import pytest

from aosrepl.remote.wallet import ArweaveWallet, WalletError, load_or_create_wallet, load_wallet, verify_signature

VECTORS = Path(__file__).parent / "vectors"


def test_an_arweave_js_wallet_loads_with_its_address():
    recorded = json.loads((VECTORS / "data-items.json").read_text())
    wallet = load_wallet(VECTORS / "arweave-test-wallet.json")
    assert wallet.address == recorded["address"]
    assert len(wallet.owner) == 512


def test_signatures_verify_with_the_owner_only(wallet):
    signature = wallet.sign(b"message")
    assert len(signature) == 512
    assert verify_signature(wallet.owner, b"message", signature)
    assert not verify_signature(wallet.owner, b"other message", signature)


def test_a_jwk_round_trips_and_the_crt_fields_are_optional(wallet, tmp_path):
    jwk = wallet.jwk()
    assert set(jwk) == {"kty", "n", "e", "d", "p", "q", "dp", "dq", "qi"} and jwk["e"] == "AQAB"
    minimal = ArweaveWallet({k: jwk[k] for k in ("kty", "n", "e", "d")})
    assert minimal.address == wallet.address
    assert verify_signature(wallet.owner, b"x", minimal.sign(b"x"))


@pytest.mark.parametrize("content, why", [
    (None, "No such file"), ("not json", "Expecting value"), ('{"kty": "EC"}', "not an RSA JWK"),
    ('{"kty": "RSA", "n": "AQAB", "e": "AQAB"}', "no 'd' field"), ('[1, 2]', "not an RSA JWK"),
])
def test_bad_wallet_files_say_so_as_aos_does(tmp_path, content, why):
    path = tmp_path / "wallet.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(WalletError) as err:
        load_wallet(path)
    assert str(err.value).startswith(f"Error reading wallet file: {path}: ")
    assert why in str(err.value)


def test_the_default_wallet_is_generated_once_and_kept_private(tmp_path):
    path = tmp_path / "data" / "arweave-wallet.json"
    first, created = load_or_create_wallet(path)
    assert created and path.is_file()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again, created_again = load_or_create_wallet(path)
    assert not created_again and again.address == first.address
