import pytest

from tests.apm.playground import Playground


@pytest.fixture
def play(tmp_path):
    p = Playground(tmp_path / "net")
    yield p
    p.close()
