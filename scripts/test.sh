#!/usr/bin/env bash
# The test command (README): installs what the tests need, then runs every test project.
# The tests start their own throwaway PostgreSQL (Testcontainers when a Docker engine answers,
# else the local binaries), so nothing else needs to be running.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/ensure-postgres.sh
scripts/ensure-chromium.sh
scripts/check-generated-code.sh

log=$(mktemp)
status=0
dotnet test EventLeaderboard.sln -c Release 2>&1 | tee "$log" || status=$?

# One plain closing line for the whole run ("N passed, N failed"), summed over the test projects.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "${passed} passed, ${failed} failed"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
exit "$status"
