#!/usr/bin/env bash
# Install the Debian packages OneThing needs when they are missing: graphviz (dot), a CJK font,
# and Debian's chromium for the browser tests when ONETHING_BROWSER_TESTS=1.
set -euo pipefail
wanted=(graphviz fonts-noto-cjk)
[ "${ONETHING_BROWSER_TESTS:-0}" = "1" ] && wanted+=(chromium)
need=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${need[*]}"
if [ "$(id -u)" = "0" ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
  echo "please install these Debian packages as root: ${need[*]}" >&2; exit 1; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
