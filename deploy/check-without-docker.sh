#!/usr/bin/env bash
# Checks deploy/ on a machine with no Docker engine, as closely as that allows:
#  1. builds the image's build stage by hand: copies exactly what the Dockerfile's COPY lines copy
#     into an empty folder (the build context as Docker would see it) and runs its RUN lines there,
#     so a file the build needs but the Dockerfile forgets to copy fails here too;
#  2. runs the published output the way docker-compose.yml does: the migrate job against a fresh
#     PostgreSQL, then two nodes with the image's environment (Production, no schema changes), a
#     score written through one node and read with minSequence through the other;
#  3. parses the compose file and the Kubernetes manifests and checks that they agree with the
#     image (port, probes, migrate command).
# What it cannot check: the base images themselves, nginx in its container, kubectl apply.
# Usage: deploy/check-without-docker.sh     (needs the .NET SDK, PostgreSQL binaries, python3 with yaml)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/el-deploy-check.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [[ -f "$work/pg/data/postmaster.pid" ]]; then as_pg "$pgbin/pg_ctl" -D "$work/pg/data" -m fast stop >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }

# -- 1. the build stage, by hand --------------------------------------------------------------
step "build stage: COPY and RUN lines of deploy/Dockerfile in an empty context"
context="$work/source"; app="$work/app"
mkdir -p "$context"
python3 - "$root" "$context" "$app" "$work/run-lines.sh" <<'PY'
import os, shutil, sys
root, context, app, script = sys.argv[1:]
# .dockerignore, in the only form this repository uses: "**/name" or "name" leaves out that name anywhere.
ignored = {l.strip().removeprefix("**/") for l in open(os.path.join(root, ".dockerignore")) if l.strip() and not l.startswith("#")}
skip = lambda folder, names: [n for n in names if n in ignored]
lines, stage, runs = open(os.path.join(root, "deploy/Dockerfile")).read().splitlines(), 0, []
for line in lines:
    words = line.split()
    if not words or words[0].startswith("#"): continue
    if words[0] == "FROM": stage += 1; continue
    if stage != 1: continue                       # only the build stage is reproduced here
    if words[0] == "COPY" and not any(w.startswith("--") for w in words[1:]):
        *sources, dest = words[1:]
        for src in sources:
            origin = os.path.join(root, src)
            if not os.path.exists(origin): sys.exit(f"Dockerfile copies {src}, which the repository does not have")
            target = os.path.join(context, dest)
            if os.path.isdir(origin): shutil.copytree(origin, target, dirs_exist_ok=True, ignore=skip)
            else:
                os.makedirs(target if dest.endswith("/") else os.path.dirname(target), exist_ok=True)
                shutil.copy(origin, target if not dest.endswith("/") else os.path.join(target, os.path.basename(src)))
            print(f"  COPY {src} -> {dest}")
    elif words[0] == "RUN":
        runs.append(line[len("RUN"):].strip().replace(" -o /app", f" -o {app}"))
open(script, "w").write("set -euo pipefail\n" + "\n".join(runs) + "\n")
PY
# .NET ignores a global.json only in a folder above the context, so the copy behaves like the image.
(cd "$context" && bash "$work/run-lines.sh") > "$work/build.log" 2>&1 || { tail -30 "$work/build.log"; exit 1; }
test -f "$app/EventLeaderboard.Server.dll"
test -f "$app/appsettings.json" || { echo "the published app has no appsettings.json"; exit 1; }
echo "  published to $app"

# -- 2. run it like docker-compose.yml ----------------------------------------------------------
step "a fresh PostgreSQL for the check"
pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[[ -x "$pgbin/initdb" ]] || { echo "PostgreSQL binaries missing: run scripts/ensure-postgres.sh"; exit 1; }
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$work/pg"; chmod 755 "$work"; if [[ $(id -u) == 0 ]]; then chown postgres "$work/pg"; fi
pgport=$((20000 + RANDOM % 20000))
as_pg "$pgbin/initdb" -D "$work/pg/data" -U postgres --auth=trust >/dev/null
as_pg "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
  -o "-p $pgport -k $work/pg -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
as_pg "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U postgres eventleaderboard
pg="Host=127.0.0.1;Port=$pgport;Database=eventleaderboard;Username=postgres"

# The runtime stage's ENV, as the image sets it.
export ASPNETCORE_ENVIRONMENT=Production Storage__ApplyMigrationsOnStartup=false DOTNET_gcServer=1
export ConnectionStrings__Postgres="$pg" Auth__ApiKeys__0__Name=compose-admin \
       Auth__ApiKeys__0__Key=check-admin-key Auth__ApiKeys__0__Roles__0=admin

step "a node refuses an unmigrated database (Storage:ApplyMigrationsOnStartup=false)"
if Urls=http://127.0.0.1:0 timeout 60 dotnet "$app/EventLeaderboard.Server.dll" > "$work/refused.log" 2>&1; then
  echo "  the node started on an empty database"; exit 1
fi
grep -q "lacks migration 0001" "$work/refused.log" || { echo "  refused, but not for the missing migrations:"; grep -m3 -i "exception" "$work/refused.log"; exit 1; }
echo "  refused, naming the missing migration"

step "the migrate job (compose: command [\"migrate\"])"
dotnet "$app/EventLeaderboard.Server.dll" migrate | tail -3

step "two nodes on the one database"
ports=()
for n in 1 2; do
  port=$((pgport + n))
  Urls="http://127.0.0.1:$port" Node__Name="node$n" dotnet "$app/EventLeaderboard.Server.dll" > "$work/node$n.log" 2>&1 &
  pids+=($!); ports+=("$port")
done
for port in "${ports[@]}"; do
  for _ in $(seq 1 90); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 1; done
  curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "node on $port never ready"; tail -20 "$work"/node*.log; exit 1; }
  echo "  node on $port ready"
done
auth=(-H "Authorization: Bearer check-admin-key" -H "Content-Type: application/json")
curl -sf -X PUT "http://127.0.0.1:${ports[0]}/v1/leaderboards/deploycheck" "${auth[@]}" \
  -d '{"sortOrder":"descending","updatePolicy":"best"}' >/dev/null
written="$(curl -sf -X POST "http://127.0.0.1:${ports[0]}/v1/leaderboards/deploycheck/scores" "${auth[@]}" \
  -d '{"playerId":"alice","score":4200}')"
sequence="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["sequence"])' "$written")"
read_back="$(curl -sf "http://127.0.0.1:${ports[1]}/v1/leaderboards/deploycheck/players/alice?minSequence=$sequence" "${auth[@]}")"
python3 -c 'import json,sys; p=json.loads(sys.argv[1]); assert p["score"]==4200 and p["rank"]==1, p' "$read_back"
echo "  written on node1 (sequence $sequence), read on node2: $read_back"
code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${ports[1]}/v1/leaderboards/deploycheck/top")"
[[ "$code" == 401 ]] || { echo "  a read without a key answered $code, not 401"; exit 1; }
echo "  no key: 401 (Production does not run open)"

# -- 3. the files agree with the image ----------------------------------------------------------
step "compose and Kubernetes files"
python3 - "$root" <<'PY'
import sys, yaml, os
root = sys.argv[1]
compose = yaml.safe_load(open(os.path.join(root, "deploy/docker-compose.yml")))
services = compose["services"]
assert services["migrate"]["command"] == ["migrate"], "compose: the migrate service must run the migrate command"
for node in ("node1", "node2"):
    env = services[node]["environment"]
    assert env["Storage__ApplyMigrationsOnStartup"] == "false", node
    assert "ConnectionStrings__Postgres" in env, node
    assert services[node]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", node
print("  docker-compose.yml: migrate job first, nodes never change the schema")
docs = []
folder = os.path.join(root, "deploy/kubernetes")
for name in sorted(os.listdir(folder)):
    if name.endswith(".yaml") and name != "kustomization.yaml":
        docs += [(name, d) for d in yaml.safe_load_all(open(os.path.join(folder, name))) if d]
kinds = {d["kind"] for _, d in docs}
for needed in ("Deployment", "Service", "ConfigMap", "Secret", "PodDisruptionBudget", "Job"):
    assert needed in kinds, f"kubernetes: no {needed}"
kustomization = yaml.safe_load(open(os.path.join(folder, "kustomization.yaml")))
listed = set(kustomization.get("resources", []))
config = next(d for _, d in docs if d["kind"] == "ConfigMap")["data"]
port = int(config["Urls"].rsplit(":", 1)[1])
for name, d in docs:
    if d["kind"] == "Deployment":
        c = d["spec"]["template"]["spec"]["containers"][0]
        assert any(p["containerPort"] == port for p in c["ports"]), "container port differs from Urls"
        assert c["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        assert c["livenessProbe"]["httpGet"]["path"] == "/health/live"
    if d["kind"] == "Job":
        assert d["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]
    if d["kind"] != "Job" and name not in listed:
        print(f"  note: {name} is not in kustomization.yaml resources")
assert config["Storage__ApplyMigrationsOnStartup"] == "false"
print(f"  kubernetes: {', '.join(sorted(kinds))}; port {port}, probes /health/ready and /health/live, migrate Job")
PY
step "deploy check passed"
