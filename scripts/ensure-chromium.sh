#!/usr/bin/env bash
# Makes sure Debian's headless browser and its WebDriver are on this machine, for the dashboard's
# browser test (tests/EventLeaderboard.Server.Tests/Dashboard). Installs the `chromium` and
# `chromium-driver` packages when either is missing (needs root or sudo). Does nothing when both
# are there.
set -euo pipefail

have_binaries() {
  { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; } \
    && command -v chromedriver >/dev/null 2>&1
}

if have_binaries; then exit 0; fi

echo "chromium or chromedriver not found; installing Debian's chromium and chromium-driver packages" >&2
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -qq
$sudo_cmd apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
have_binaries || { echo "chromium or chromedriver still missing after install" >&2; exit 1; }
