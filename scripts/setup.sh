#!/usr/bin/env bash
# Installs what stationdesk needs on Debian 12, only what is missing, so it is safe to run again.
#   scripts/setup.sh app     system libraries to build and run the desktop app
#   scripts/setup.sh test    the same plus Xvfb, WebKitWebDriver, D-Bus and tauri-driver
set -euo pipefail

what=${1:-app}
TAURI_DRIVER_VERSION=2.1.0
CARGO_DEB_VERSION=3.8.0
AXE_CORE_VERSION=4.14.1
# Tauri's bundler for the desktop app's Debian package (scripts/check-packages.sh): the CLI's
# prebuilt binary from npm, seconds to fetch where `cargo install tauri-cli` compiles 14 minutes.
TAURI_CLI_VERSION=2.12.6
TAURI_CLI_DIR=$HOME/.cache/stationdesk/tauri-cli
# Where the E2E harness looks for axe-core (tests/src/accessibility.rs), unless STATIONDESK_AXE
# names another axe.min.js.
AXE_DIR=$HOME/.cache/stationdesk/axe-core

packages=(build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev libsoup-3.0-dev
          libjavascriptcoregtk-4.1-dev librsvg2-dev libdbus-1-dev fonts-dejavu-core curl)
if [ "$what" = test ]; then
  # x11vnc, Remmina and desktop-file-utils (so GLib knows Remmina opens vnc: links) for the
  # real VNC session test; GNOME Keyring as the Secret Service the sync tests keep tokens in;
  # faketime runs a client whose clock is an hour off; systemd (systemd-analyze verify),
  # openssl and adduser for the Debian packages' check; PostgreSQL for the server's second
  # storage, in a throwaway cluster (scripts/with-postgres.sh); Dovecot and aiosmtpd, the real
  # IMAP and SMTP servers the e-mail channel's tests start in temporary directories.
  packages+=(xvfb xauth webkit2gtk-driver dbus x11vnc remmina remmina-plugin-vnc desktop-file-utils
            gnome-keyring faketime poppler-utils python3-pip
            systemd openssl adduser postgresql dovecot-imapd python3-aiosmtpd)
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# npm (for axe-core) where the machine has none of its own.
if [ "$what" = test ] && ! command -v npm >/dev/null 2>&1; then packages+=(npm); fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  [ -x "$HOME/.cargo/bin/cargo" ] || {
    echo "setup: installing the Rust toolchain with rustup"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl ca-certificates
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component clippy,rustfmt
  }
  export PATH="$HOME/.cargo/bin:$PATH"
fi

if [ "$what" = test ]; then
  # The official e-invoice rules (../shared/einvoice/validate.py) run on Saxon-HE and lxml.
  if ! python3 -c "import saxonche, lxml" 2>/dev/null; then
    echo "setup: installing saxonche and lxml for the e-invoice rules"
    python3 -m pip install --quiet saxonche lxml 2>/dev/null \
      || python3 -m pip install --quiet --break-system-packages saxonche lxml
  fi
  if ! cargo install --list | grep -q "^tauri-driver v$TAURI_DRIVER_VERSION:"; then
    echo "setup: installing tauri-driver $TAURI_DRIVER_VERSION"
    cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked
  fi
  # cargo-deb builds the server's and the CLI's Debian packages (scripts/check-packages.sh).
  if ! cargo install --list | grep -q "^cargo-deb v$CARGO_DEB_VERSION:"; then
    echo "setup: installing cargo-deb $CARGO_DEB_VERSION"
    cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked
  fi
  # axe-core, the accessibility rules the E2E run checks each main screen with.
  if ! grep -qs "\"version\": \"$AXE_CORE_VERSION\"" "$AXE_DIR/node_modules/axe-core/package.json"; then
    echo "setup: installing axe-core $AXE_CORE_VERSION"
    mkdir -p "$AXE_DIR"
    npm install --prefix "$AXE_DIR" --no-save --no-package-lock --no-audit --no-fund "axe-core@$AXE_CORE_VERSION" >/dev/null
  fi
  if ! grep -qs "\"version\": \"$TAURI_CLI_VERSION\"" "$TAURI_CLI_DIR/node_modules/@tauri-apps/cli/package.json"; then
    echo "setup: installing tauri-cli $TAURI_CLI_VERSION"
    mkdir -p "$TAURI_CLI_DIR"
    npm install --prefix "$TAURI_CLI_DIR" --no-save --no-package-lock --no-audit --no-fund "@tauri-apps/cli@$TAURI_CLI_VERSION" >/dev/null
  fi
fi
