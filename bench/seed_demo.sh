#!/usr/bin/env bash
# Time `manage.py seed_demo` on a scratch PostgreSQL database, then drop it.
#
#   bench/seed_demo.sh [CONTACTS]        (default 100000; target: under 60 s)
#
# Needs a local PostgreSQL that trusts 127.0.0.1 for user postgres (as in CI), or set
# PGHOST/PGPORT/PGUSER. Run from anywhere; it works in the repository root.
set -euo pipefail

CONTACTS="${1:-100000}"
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
DB="prudence_seedbench_$$"
export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${DB}"
export DJANGO_SETTINGS_MODULE=crm.settings.local

psql_admin() { psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -qAt "$@"; }
cleanup() { psql_admin -c "DROP DATABASE IF EXISTS ${DB}" >/dev/null; }
trap cleanup EXIT

psql_admin -c "CREATE DATABASE ${DB} ENCODING 'UTF8' TEMPLATE template0"
"$PYTHON" manage.py migrate --no-input -v0

echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))," \
  "$(free -g | awk '/^Mem:/ {print $2}') GiB RAM," \
  "$(psql_admin -c 'SHOW server_version')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

start=$(date +%s.%N)
"$PYTHON" manage.py seed_demo --contacts "$CONTACTS" --seed 2026 | sed -n '1,15p'
end=$(date +%s.%N)

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wall time including Django start-up: $("$PYTHON" -c "print(round($end - $start, 1))") s"
