#!/usr/bin/env bash
# Makes sure the PostgreSQL server binaries (initdb, pg_ctl) are on this machine, so that the
# service and the tests can start their own private PostgreSQL. Installs Debian's `postgresql`
# package when they are missing (needs root or sudo). Does nothing when they are there.
set -euo pipefail

have_binaries() {
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}

if have_binaries; then exit 0; fi

echo "PostgreSQL server binaries not found; installing Debian's postgresql package" >&2
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -qq
# The package's own cluster is not used (the service runs a private one); don't start it.
$sudo_cmd apt-get install -y -qq --no-install-recommends postgresql >/dev/null
if command -v pg_ctlcluster >/dev/null 2>&1; then
  for cluster in /etc/postgresql/*/main; do
    [ -d "$cluster" ] || continue
    version=$(basename "$(dirname "$cluster")")
    $sudo_cmd pg_ctlcluster "$version" main stop >/dev/null 2>&1 || true
  done
fi
have_binaries || { echo "PostgreSQL binaries still missing after install" >&2; exit 1; }
