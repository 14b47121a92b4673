"""Configuration comes from the environment, and a bad value stops the start instead of being guessed."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from indh_site.env import env_bool, env_int, env_list

PRINT_SETTINGS = "import indh_site.settings as s; print(s.DATABASES['default']['ENGINE'], s.DEBUG)"


def load_settings(**env):
    """Import the settings module in a fresh interpreter with exactly this environment."""
    controlled = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in controlled}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = load_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_development_needs_no_configuration_and_uses_sqlite():
    result = load_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


def test_postgres_url_selects_postgresql():
    result = load_settings(DEBUG="1", DATABASE_URL="postgres://u@127.0.0.1:5432/x")
    assert result.stdout.split()[0] == "django.db.backends.postgresql"


def test_unreadable_debug_value_is_refused():
    result = load_settings(DEBUG="maybe")
    assert "DEBUG must be one of" in result.stderr


def test_typed_helpers(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    monkeypatch.setenv("COUNT", "12")
    monkeypatch.setenv("HOSTS", "a.ma, b.ma,,")
    assert env_bool("FLAG") is True
    assert env_int("COUNT", 0) == 12
    assert env_list("HOSTS") == ["a.ma", "b.ma"]
    monkeypatch.setenv("COUNT", "twelve")
    with pytest.raises(ImproperlyConfigured):
        env_int("COUNT", 0)
