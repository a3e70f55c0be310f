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

# Every cargo command below selects the whole workspace and builds its tests, so cargo resolves
# one set of features and compiles each crate once; the end-to-end tests are `test = false`
# (tests/Cargo.toml) and run by name in their own step.
step "unit, property and integration tests"
# Under a session bus with an unlocked GNOME Keyring (the sync tests keep tokens in a real
# Secret Service), beside a throwaway PostgreSQL cluster (the server's storage on PostgreSQL).
dbus-run-session -- bash scripts/with-keyring.sh bash scripts/with-postgres.sh \
  cargo test --workspace

step "the server's integration tests again, on PostgreSQL"
# The core's own `it` suite, which has no server database, comes along.
dbus-run-session -- bash scripts/with-keyring.sh bash scripts/with-postgres.sh \
  env STATIONDESK_TEST_BACKEND=postgres cargo test --workspace --test it

step "stationdesk-core builds without any GUI crate"
if cargo tree -p stationdesk-core -e normal,build | grep -Ei '^[^a-z]*(tauri|wry|tao|webkit)'; then
  echo "stationdesk-core depends on a GUI crate" >&2
  exit 1
fi

step "end-to-end tests (real app, WebKit, Xvfb)"
# `--tests` keeps the features of the steps before; only the app's binary is new.
cargo build --workspace --tests --bin stationdesk --bin stationdesk-server --bin stationdesk-cli
rm -rf target/screenshots
e2e_tests=$(for test in tests/tests/*.rs; do printf -- '--test %s ' "$(basename "$test" .rs)"; done)
# One window at a time: two WebKit processes at once starve a 2-core machine.
NO_AT_BRIDGE=1 dbus-run-session -- bash scripts/with-keyring.sh \
  xvfb-run -a -s "-screen 0 1400x900x24" cargo test --workspace $e2e_tests -- --test-threads=1
echo "screenshots in target/screenshots: $(ls target/screenshots | tr "\n" " ")"

step "Debian packages (build, install, systemd unit, the installed server on TLS, the installed CLI)"
# The debug build the steps before compiled: the release build would compile the whole stack
# again, for the same packaging, install and start.
bash scripts/check-packages.sh --debug
