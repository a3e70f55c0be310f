#!/usr/bin/env bash
# Runs a command with a Secret Service on the session bus: gnome-keyring-daemon, unlocked with a
# non-empty password (an empty one leaves the login keyring locked). Use inside dbus-run-session.
set -euo pipefail
eval "$(printf 'stationdesk-test\n' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
# The daemon takes its bus name a moment after it forks. A command asking before then gets a
# second daemon started by D-Bus activation, whose keyring is locked.
for _ in $(seq 100); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
    | grep -q "boolean true" && break
  sleep 0.05
done
exec "$@"
