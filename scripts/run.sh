#!/usr/bin/env bash
# Sets up what is missing, then builds and starts the stationdesk desktop app on its embedded
# defaults: a local SQLite file in your data directory (or $STATIONDESK_DATA_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh app
export PATH="$HOME/.cargo/bin:$PATH"
exec cargo run --release -p stationdesk "$@"
