#!/usr/bin/env bash
# Sets up what is missing, builds, and starts stationdesk on one computer: a central server on
# loopback with its own SQLite file, and the desktop app connected to it, which opens on a
# first-run screen (create your shop, this PC becomes its first till). Data lives in your data
# directory (or $STATIONDESK_DATA_DIR); the server's file is stationdesk-server.sqlite there.
# An address already answering at $STATIONDESK_LOCAL_SERVER (default http://127.0.0.1:8750) is
# used as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh app
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --release -p stationdesk -p stationdesk-server

data_dir="${STATIONDESK_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/stationdesk}"
mkdir -p "$data_dir"
server="${STATIONDESK_LOCAL_SERVER:-http://127.0.0.1:8750}"
export STATIONDESK_LOCAL_SERVER="$server"

if ! curl -fsS "$server/healthz" >/dev/null 2>&1; then
  target/release/stationdesk-server --db "$data_dir/stationdesk-server.sqlite" \
    serve --listen "${server#http://}" --first-run-setup >"$data_dir/stationdesk-server.log" 2>&1 &
  server_pid=$!
  trap 'kill "$server_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 50); do
    curl -fsS "$server/healthz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$data_dir/stationdesk-server.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "stationdesk-server on $server (log: $data_dir/stationdesk-server.log)"
fi

target/release/stationdesk "$@"
