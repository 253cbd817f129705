"""Settings: the embedded defaults, the switches to real services, and loud failures.

`config/settings.py` is evaluated afresh (runpy) under a controlled environment, so each test
sees exactly what a process started with that environment would get.
"""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as live_settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from config.env import env_bool, env_int, env_list, env_str
from tests.conftest import ci_requires

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = ROOT / "config" / "settings.py"
PROD_SECRET = "s" * 20 + "-production-secret-for-tests-only-0123456789"
SWITCHES = (
    "DJANGO_ENV",
    "DJANGO_DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "SQLITE_PATH",
    "REDIS_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
)


def load_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> dict[str, Any]:
    for name in SWITCHES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TOUCHPOINT_VAR_DIR", str(tmp_path / "var"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


# --- config/env.py helpers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("Yes", True), (" on ", True), ("0", False), ("off", False)],
)
def test_env_bool_reads_the_usual_spellings(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("TP_FLAG", raw)
    assert env_bool("TP_FLAG") is expected


def test_env_bool_uses_the_default_only_when_the_variable_is_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TP_FLAG", raising=False)
    assert env_bool("TP_FLAG", default=True) is True
    monkeypatch.setenv("TP_FLAG", "")
    assert env_bool("TP_FLAG", default=True) is False


def test_env_bool_names_the_variable_when_the_value_is_not_a_boolean(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TP_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"TP_FLAG='maybe' is not a boolean"):
        env_bool("TP_FLAG")


def test_env_int_reads_numbers_and_rejects_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TP_NUMBER", "1025")
    assert env_int("TP_NUMBER", 25) == 1025
    monkeypatch.setenv("TP_NUMBER", " ")
    assert env_int("TP_NUMBER", 25) == 25
    monkeypatch.setenv("TP_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match=r"TP_NUMBER='ten' is not a whole number"):
        env_int("TP_NUMBER", 25)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TP_LIST", " a.example.com, ,b.example.com ")
    assert env_list("TP_LIST") == ["a.example.com", "b.example.com"]
    monkeypatch.delenv("TP_LIST")
    assert env_list("TP_LIST", ["x"]) == ["x"]
    assert env_str("TP_LIST", "fallback") == "fallback"


# --- The embedded default and the switches ----------------------------------------------------


def test_with_no_environment_the_app_runs_on_sqlite_in_process_tasks_and_file_mail(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    s = load_settings(monkeypatch, tmp_path)
    assert s["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert s["DATABASES"]["default"]["NAME"] == str(tmp_path / "var" / "touchpoint.sqlite3")
    assert (tmp_path / "var").is_dir()
    assert s["CELERY_TASK_ALWAYS_EAGER"] is True
    assert s["CELERY_BROKER_URL"] == "memory://"
    assert s["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert s["EMAIL_FILE_PATH"] == str(tmp_path / "var" / "mail")
    assert s["DEBUG"] is True


def test_database_url_switches_to_postgresql(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    s = load_settings(monkeypatch, tmp_path, DATABASE_URL="postgres://tp:pw@db.internal:5433/tp")
    db = s["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["USER"]) == ("db.internal", 5433, "tp", "tp")


def test_redis_url_switches_to_a_real_broker_and_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    s = load_settings(monkeypatch, tmp_path, REDIS_URL="redis://cache.internal:6379/2")
    assert s["CELERY_BROKER_URL"] == "redis://cache.internal:6379/2"
    assert s["CELERY_TASK_ALWAYS_EAGER"] is False
    assert s["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_the_test_environment_runs_tasks_in_process_even_with_a_broker(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    s = load_settings(monkeypatch, tmp_path, DJANGO_ENV="test", REDIS_URL="redis://r:6379/15")
    assert s["CELERY_BROKER_URL"] == "redis://r:6379/15"
    assert s["CELERY_TASK_ALWAYS_EAGER"] is True
    assert s["PASSWORD_HASHERS"] == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_email_host_switches_to_smtp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    s = load_settings(monkeypatch, tmp_path, EMAIL_HOST="mailcatcher", EMAIL_PORT="1025")
    assert s["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (s["EMAIL_HOST"], s["EMAIL_PORT"]) == ("mailcatcher", 1025)


# --- Production ----------------------------------------------------------------------------------


def test_production_refuses_to_start_without_a_real_secret_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        load_settings(monkeypatch, tmp_path, DJANGO_ENV="production")
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        load_settings(monkeypatch, tmp_path, DJANGO_ENV="production", SECRET_KEY="short")


def test_production_is_hardened(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    s = load_settings(
        monkeypatch, tmp_path, DJANGO_ENV="production", SECRET_KEY=PROD_SECRET,
        ALLOWED_HOSTS="touchpoint.example.com",
    )  # fmt: skip
    assert s["DEBUG"] is False
    assert s["ALLOWED_HOSTS"] == ["touchpoint.example.com"]
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"]
    assert s["SECURE_HSTS_SECONDS"] >= 31536000
    assert "Manifest" in s["STORAGES"]["staticfiles"]["BACKEND"]


def test_production_can_serve_plain_http_for_a_local_compose_stack(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    s = load_settings(
        monkeypatch, tmp_path, DJANGO_ENV="production", SECRET_KEY=PROD_SECRET,
        SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0",
    )  # fmt: skip
    assert s["SECURE_SSL_REDIRECT"] is False
    assert s["SECURE_HSTS_SECONDS"] == 0


def test_an_unknown_django_env_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(ImproperlyConfigured, match="DJANGO_ENV='staging'"):
        load_settings(monkeypatch, tmp_path, DJANGO_ENV="staging")


def test_a_malformed_boolean_in_the_environment_stops_startup(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG"):
        load_settings(monkeypatch, tmp_path, DJANGO_DEBUG="sometimes")


def test_the_deploy_check_passes_with_production_settings(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' fixture, never in deployment.
        if key
        not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env |= {
        "DJANGO_ENV": "production",
        "SECRET_KEY": PROD_SECRET,
        "ALLOWED_HOSTS": "touchpoint.example.com",
        "TOUCHPOINT_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- .env.example ---------------------------------------------------------------------------------


def _variables_read_by(path: Path) -> set[str]:
    text = path.read_text()
    helpers = re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z0-9_]+)\"", text)
    direct = re.findall(r"os\.environ(?:\.get)?[\[(]\s*\"([A-Z0-9_]+)\"", text)
    return set(helpers) | set(direct)


def test_env_example_lists_every_variable_the_settings_read() -> None:
    read = set()
    for file in (ROOT / "config").glob("*.py"):
        read |= _variables_read_by(file)
    read -= {"DJANGO_SETTINGS_MODULE"}
    listed = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read, "found no environment variables in config/ (has the helper changed?)"
    assert not read - listed, f".env.example does not mention: {sorted(read - listed)}"


# --- The services this run is really using --------------------------------------------------------


def test_with_database_url_set_the_suite_really_runs_on_postgresql(db: None) -> None:
    if not os.environ.get("DATABASE_URL"):
        ci_requires("PostgreSQL (DATABASE_URL)")
    assert connection.vendor == "postgresql", f"DATABASE_URL is set but vendor={connection.vendor}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (version,) = cursor.fetchone()
    assert version.startswith("PostgreSQL")
    assert live_settings.DATABASES["default"]["NAME"].startswith("test_")
