"""Production settings refuse an unsafe configuration and pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SAFE_ENV = {
    "DATABASE_URL": "postgres://prudence@127.0.0.1:5432/prudence",
    "SECRET_KEY": "k8#Qz1-this-is-a-long-random-production-secret-9fj2#lq0$Pq7@x!vB3n",
    "ALLOWED_HOSTS": "crm.example-bank.tw",
    "FIELD_ENCRYPTION_KEYS": "q0F3Yk1mZ3pVbm1rS2ZxUzJ0Y3d4dVh6Q2V2b3B0ZXc=",
    "HASH_KEY": "a-production-lookup-hash-key-kept-apart",
    "DEBUG": "false",
}


def run_manage(*args: str, **overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in SAFE_ENV}
    env |= SAFE_ENV | overrides
    env["DJANGO_SETTINGS_MODULE"] = "crm.settings.production"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_passes_deploy_checks_with_zero_findings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"DATABASE_URL": "sqlite:////tmp/prudence.sqlite3"}, "SQLite"),
        ({"DEBUG": "true"}, "DEBUG is on"),
        ({"SECRET_KEY": ""}, "development secret"),
    ],
)
def test_production_refuses_unsafe_configuration(override, complaint):
    overrides = dict(override)
    if overrides.get("SECRET_KEY") == "":
        from crm.settings.base import DEVELOPMENT_SECRET_KEY

        overrides["SECRET_KEY"] = DEVELOPMENT_SECRET_KEY
    result = run_manage("check", **overrides)
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert complaint in result.stderr


@pytest.mark.parametrize(
    ("override", "expected"), [({}, "0"), ({"PG_PARALLEL_WORKERS_PER_GATHER": "2"}, "2")]
)
def test_postgresql_pages_run_without_parallel_workers_unless_told(override, expected):
    script = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    result = run_manage("shell", "-c", script, **override)
    assert result.returncode == 0, result.stderr
    assert f"-c max_parallel_workers_per_gather={expected}" in result.stdout
