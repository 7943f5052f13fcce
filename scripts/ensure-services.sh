#!/usr/bin/env bash
# Starts the PostgreSQL and Redis servers the test suite talks to, when they are not running.
# The commands are Debian's (postgresql-common's pg_ctlcluster); both listen on 127.0.0.1 only.
# When a server is not installed at all this says what to install instead of failing obscurely.
set -euo pipefail
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi

missing=()
command -v pg_isready >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  echo "The tests need PostgreSQL and Redis on 127.0.0.1. Install them first, e.g." >&2
  echo "  $SUDO apt-get install -y ${missing[*]}" >&2
  exit 1
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "starting PostgreSQL"
  cluster="$(ls /etc/postgresql 2>/dev/null | head -n1 || true)"
  if [ -z "$cluster" ]; then
    echo "no PostgreSQL cluster in /etc/postgresql (Debian's postgresql package creates one)" >&2
    exit 1
  fi
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting Redis"
  $SUDO mkdir -p /var/lib/redis /var/log/redis
  $SUDO redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432
redis-cli -h 127.0.0.1 -p 6379 ping

# The suite logs in as ETWIN_TEST_POSTGRES_URL (default: user postgres, no password). Debian's
# default pg_hba.conf asks for a password on 127.0.0.1, so say how to fix that up front.
if [ -z "${ETWIN_TEST_POSTGRES_URL:-}" ] && command -v psql >/dev/null \
  && ! psql -h 127.0.0.1 -U postgres -d postgres -w -tAc "SELECT 1" >/dev/null 2>&1; then
  echo "PostgreSQL refuses user postgres without a password on 127.0.0.1: allow it in" >&2
  echo "pg_hba.conf (host all postgres 127.0.0.1/32 trust) or set ETWIN_TEST_POSTGRES_URL to" >&2
  echo "postgresql+psycopg://USER:PASSWORD@127.0.0.1:5432/postgres" >&2
  exit 1
fi
