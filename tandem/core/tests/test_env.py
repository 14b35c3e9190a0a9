import pytest

from config import env


def test_bool_parsing_is_strict(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env.get_bool("X_FLAG", default=False) is True
    monkeypatch.setenv("X_FLAG", "off")
    assert env.get_bool("X_FLAG", default=True) is False
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(env.ConfigurationError, match="X_FLAG must be a boolean"):
        env.get_bool("X_FLAG", default=False)


def test_int_and_list(monkeypatch):
    monkeypatch.setenv("X_INT", "12")
    assert env.get_int("X_INT", default=1) == 12
    monkeypatch.setenv("X_INT", "twelve")
    with pytest.raises(env.ConfigurationError):
        env.get_int("X_INT", default=1)
    monkeypatch.setenv("X_INT", "4")
    assert env.get_int("X_INT", default=300, minimum=4) == 4
    with pytest.raises(env.ConfigurationError, match="X_INT must be at least 5, got 4"):
        env.get_int("X_INT", default=300, minimum=5)
    monkeypatch.setenv("X_INT", "")
    assert env.get_int("X_INT", default=300, minimum=5) == 300
    monkeypatch.setenv("X_LIST", " a, b ,,c ")
    assert env.get_list("X_LIST", default=[]) == ["a", "b", "c"]
    assert env.get_list("X_MISSING_LIST", default=["z"]) == ["z"]


def test_secret_from_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t\n", encoding="utf-8")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    monkeypatch.setenv("X_SECRET", "ignored")
    assert env.get_str("X_SECRET") == "s3cr3t"
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(env.ConfigurationError, match="cannot read"):
        env.get_str("X_SECRET")
