#!/usr/bin/env bash
# The Debian packages as a vendor and a shop get them: the server and the CLI built with
# cargo-deb, the desktop app with Tauri's own bundler, installed with dpkg -i; the server's
# systemd unit checked, the installed server started with TLS on a free port and the installed
# CLI enrolled against it, trusting the vendor's CA; the installed app's desktop entry checked
# and the app started until its window has painted. Run as root (CI is).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

#   scripts/check-packages.sh           the release build, as a vendor ships it
#   scripts/check-packages.sh --debug   the debug build scripts/test.sh has already compiled: the
#                                       same packaging, install and start, without the release
#                                       build's minutes of compiling the whole stack again
tauri_cli=${TAURI_CLI:-$HOME/.cache/stationdesk/tauri-cli/node_modules/.bin/tauri}
if [ "${1:-}" = --debug ]; then
  # The same selection as scripts/test.sh, so nothing is compiled again.
  cargo build --workspace --tests --bin stationdesk --bin stationdesk-server --bin stationdesk-cli
  for package in stationdesk-server stationdesk-core; do
    cargo deb -p "$package" --profile dev --no-build --strip --fast --quiet
  done
  "$tauri_cli" bundle --debug --bundles deb --ci >/dev/null
  app_deb=target/debug/bundle/deb
else
  # One release build of the three binaries: built one package at a time, each selects other
  # features of the crates they share and compiles them again (minutes on a 2-core machine).
  # `tauri/custom-protocol` is what `tauri build` adds: the app serves its embedded pages.
  cargo build --release -p stationdesk-server -p stationdesk-core -p stationdesk --features tauri/custom-protocol
  for package in stationdesk-server stationdesk-core; do
    cargo deb -p "$package" --no-build --quiet
  done
  "$tauri_cli" bundle --bundles deb --ci >/dev/null
  app_deb=target/release/bundle/deb
fi
dpkg -i target/debian/stationdesk-server_*.deb target/debian/stationdesk-cli_*.deb \
  "$app_deb"/stationdesk_*.deb >/dev/null
dpkg -L stationdesk | grep -qx /usr/bin/stationdesk
desktop-file-validate /usr/share/applications/stationdesk.desktop
dpkg -L stationdesk-server | grep -qx /usr/bin/stationdesk-server
dpkg -L stationdesk-cli | grep -qx /usr/bin/stationdesk-cli
getent passwd stationdesk >/dev/null
[ "$(stat -c '%U:%G %a' /etc/stationdesk/server.env)" = "root:stationdesk 640" ]
systemd-analyze verify /lib/systemd/system/stationdesk-server.service

work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
# A vendor CA and a certificate for localhost signed by it, as a vendor without a public
# certificate would make them.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Test vendor CA" \
  -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
  -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n' > "$work/ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
  -CAcreateserial -days 2 -extfile "$work/ext" -out "$work/server.pem" 2>/dev/null

db="$work/server.sqlite"
/usr/bin/stationdesk-server --db "$db" serve --listen 127.0.0.1:0 \
  --tls-cert "$work/server.pem" --tls-key "$work/server.key" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q "^listening on" "$work/serve.log" && break; sleep 0.1; done
base=$(sed -n 's|^listening on https://127.0.0.1:|https://localhost:|p' "$work/serve.log")
[ -n "$base" ] || { cat "$work/serve.log"; exit 1; }

shop=$(/usr/bin/stationdesk-server --db "$db" --json create-shop --name "Paket-Laden" | sed 's/.*"shop_id":"\([^"]*\)".*/\1/')
code=$(/usr/bin/stationdesk-server --db "$db" --json enrolment-code --shop "$shop" | sed 's/.*"code":"\([^"]*\)".*/\1/')
enrolled=$(dbus-run-session -- bash scripts/with-keyring.sh /usr/bin/stationdesk-cli \
  --db "$work/till.sqlite" --json enrol --server "$base" --code "$code" \
  --station-name "Kasse 1" --ca "$work/ca.pem")
echo "$enrolled" | grep -q '"station_id"' || { echo "$enrolled"; exit 1; }

# The installed app, as a shop starts it from its menu: a window that paints, and on a PC
# without a GPU render node (this one) WebKit's web process painting on the CPU.
mkdir "$work/app"
STATIONDESK_DATA_DIR="$work/app" NO_AT_BRIDGE=1 xvfb-run -a -s "-screen 0 1280x820x24" bash -c '
  /usr/bin/stationdesk > "$1" 2>&1 & app=$!
  for _ in $(seq 600); do grep -q "first frame painted" "$1" && break; sleep 0.1; done
  web=$(pgrep -P "$app" -x WebKitWebProces | head -n1)
  [ -n "$web" ] && tr "\0" "\n" < "/proc/$web/environ" > "$2"
  kill "$app"' _ "$work/app.log" "$work/web-process.env"
painted=$(grep "first frame painted" "$work/app.log") || { cat "$work/app.log"; exit 1; }
if ! ls /dev/dri/renderD* > /dev/null 2>&1 && [ -z "${WEBKIT_SKIA_ENABLE_CPU_RENDERING:-}" ]; then
  grep -qx "WEBKIT_SKIA_ENABLE_CPU_RENDERING=1" "$work/web-process.env" ||
    { echo "no GPU here, yet the app's web process does not paint on the CPU"; exit 1; }
fi

echo "packages: installed, unit verified, the installed CLI enrolled over TLS at $base;" \
  "the installed app's window: ${painted#stationdesk: }"
