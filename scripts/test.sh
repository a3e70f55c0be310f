#!/usr/bin/env bash
# Sets up what is missing, then runs every check and test: formatting, clippy, the core's unit,
# property and integration tests, and the end-to-end tests in a real WebKit window under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n=== %s (%s)\n' "$1" "$(date +%T)"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "unit, property and integration tests"
# Under a session bus with an unlocked GNOME Keyring (the sync tests keep tokens in a real
# Secret Service), beside a throwaway PostgreSQL cluster (the server's storage on PostgreSQL).
dbus-run-session -- bash scripts/with-keyring.sh bash scripts/with-postgres.sh \
  cargo test --workspace --exclude stationdesk-e2e

step "the server's integration tests again, on PostgreSQL"
# The same packages as the step before, so cargo resolves the same features and compiles
# nothing again (the core's own `it` suite, which has no server database, comes along).
dbus-run-session -- bash scripts/with-keyring.sh bash scripts/with-postgres.sh \
  env STATIONDESK_TEST_BACKEND=postgres cargo test --workspace --exclude stationdesk-e2e --test it

step "stationdesk-core builds without any GUI crate"
if cargo tree -p stationdesk-core -e normal,build | grep -Ei '^[^a-z]*(tauri|wry|tao|webkit)'; then
  echo "stationdesk-core depends on a GUI crate" >&2
  exit 1
fi

step "end-to-end tests (real app, WebKit, Xvfb)"
cargo build -p stationdesk -p stationdesk-server
rm -rf target/screenshots
# One window at a time: two WebKit processes at once starve a 2-core machine.
NO_AT_BRIDGE=1 dbus-run-session -- bash scripts/with-keyring.sh \
  xvfb-run -a -s "-screen 0 1400x900x24" cargo test -p stationdesk-e2e -- --test-threads=1
echo "screenshots in target/screenshots: $(ls target/screenshots | tr "\n" " ")"

step "Debian packages (build, install, systemd unit, the installed server on TLS, the installed CLI)"
bash scripts/check-packages.sh
