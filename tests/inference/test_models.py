"""Model references -> local GGUF files, and clear errors for bad ones."""
import pytest

from aosrepl import ids
from aosrepl.inference import models
from aosrepl.inference.models import ModelError


def test_article_model_id_maps_to_default_model(model_path, monkeypatch):
    monkeypatch.delenv(models.ENV_VAR, raising=False)
    assert models.resolve(ids.PHI3_MODEL) == model_path
    assert models.resolve("/data/" + ids.PHI3_MODEL) == model_path


def test_override_then_env_var_choose_the_model(model_path, tmp_path, monkeypatch):
    other = tmp_path / "other.gguf"
    other.write_bytes(model_path.read_bytes()[:64])
    monkeypatch.setenv(models.ENV_VAR, str(other))
    assert models.resolve("/data/" + ids.PHI3_MODEL) == other
    assert models.resolve(ids.PHI3_MODEL, override=str(model_path)) == model_path


def test_a_path_is_used_as_is(model_path):
    assert models.resolve(str(model_path)) == model_path


@pytest.mark.parametrize("ref, message", [
    ("", "non-empty string"),
    ("/nonexistent/model.gguf", "model file not found: /nonexistent/model.gguf"),
])
def test_bad_references(ref, message):
    with pytest.raises(ModelError, match=message):
        models.resolve(ref)


def test_missing_configured_model_is_reported(monkeypatch, tmp_path):
    monkeypatch.setenv(models.ENV_VAR, str(tmp_path / "gone.gguf"))
    with pytest.raises(ModelError, match="model file not found: .*gone.gguf"):
        models.resolve("/data/" + ids.PHI3_MODEL)


def test_non_gguf_file_is_called_corrupt(tmp_path):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"this is not a model")
    with pytest.raises(ModelError, match="not a GGUF model file"):
        models.resolve(str(bad))


def test_directory_is_not_a_model(tmp_path):
    with pytest.raises(ModelError, match="not a file"):
        models.resolve(str(tmp_path))
