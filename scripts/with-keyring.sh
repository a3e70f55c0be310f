#!/usr/bin/env bash
# Runs a command with a Secret Service on the session bus: gnome-keyring-daemon, unlocked with a
# non-empty password (an empty one leaves the login keyring locked). Use inside dbus-run-session.
set -euo pipefail
eval "$(printf 'stationdesk-test\n' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
exec "$@"
