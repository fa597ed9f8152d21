#!/usr/bin/env bash
# Fails when the committed Wolverine code (src/EventLeaderboard.Server/Internal/Generated) differs
# from what the current endpoints and handlers generate. Wolverine loads a generated class by name
# alone (TypeLoadMode.Auto), so a stale file would quietly run an endpoint's old code.
# Fix: dotnet run --project src/EventLeaderboard.Server -- codegen write, then commit the files.
set -euo pipefail
cd "$(dirname "$0")/.."

generated=src/EventLeaderboard.Server/Internal/Generated
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "check-generated-code: not a git work tree; skipped" >&2
  exit 0
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# Searchable by others: as root, the private PostgreSQL runs as the postgres user inside it.
chmod 755 "$scratch"
# Codegen builds the host, which starts a private PostgreSQL when no connection string is set:
# give it a throwaway folder rather than the repository's .data/.
ASPNETCORE_ENVIRONMENT=Development Storage__LocalDataDirectory="$scratch/pg" \
  dotnet run -c Release --project src/EventLeaderboard.Server -- codegen write >"$scratch/codegen.log" 2>&1 \
  || { cat "$scratch/codegen.log" >&2; echo "check-generated-code: codegen failed" >&2; exit 1; }

if [ -n "$(git status --porcelain -- "$generated")" ]; then
  git status --short -- "$generated" >&2
  git --no-pager diff --stat -- "$generated" >&2
  echo "check-generated-code: $generated is out of date; run 'dotnet run --project src/EventLeaderboard.Server -- codegen write' and commit it" >&2
  exit 1
fi
echo "check-generated-code: generated code is up to date"
