#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster: Debian's `postgresql` binaries, a new
# cluster in a temporary directory, owned by an unprivileged user, listening on a free loopback
# port only. The command finds its address in STATIONDESK_TEST_POSTGRES (a superuser that the
# tests use to make one database per test server). Whatever the command does, the cluster is
# stopped and its files removed afterwards.
#   scripts/with-postgres.sh [--durable] COMMAND [ARGS...]
# --durable keeps fsync on, as a production cluster runs: for benchmarks, whose figures would
# otherwise flatter PostgreSQL next to SQLite's synchronous commits.
set -euo pipefail

fsync="-c fsync=off"
if [ "${1:-}" = "--durable" ]; then fsync=""; shift; fi

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "with-postgres: PostgreSQL is not installed (scripts/setup.sh test installs it)" >&2; exit 1; }

dir=$(mktemp -d /tmp/stationdesk-pg.XXXXXX)
# PostgreSQL refuses to run as root: as root, the cluster belongs to the package's own user.
owner=$(id -un)
if [ "$(id -u)" -eq 0 ]; then owner=postgres; fi
chown "$owner" "$dir"
as_owner() {
  if [ "$(id -un)" = "$owner" ]; then "$@"; else runuser -u "$owner" -- "$@"; fi
}

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() {
  as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

# Trust on loopback: the cluster lives as long as this script, for its own user's tests. No
# fsync unless --durable: a throwaway cluster need not survive a power cut, and the tests run
# faster.
as_owner "$bin/initdb" -D "$dir/data" -U stationdesk -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o \
  "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir $fsync -c max_connections=300" \
  start >/dev/null || { cat "$dir/log" >&2; exit 1; }

export STATIONDESK_TEST_POSTGRES="postgres://stationdesk@127.0.0.1:$port/postgres"
"$@"
