#!/usr/bin/env bash
# Runs, on this machine and in one run, the same leaderboard workload against a Redis sorted set
# (redis-benchmark) and against EventLeaderboard (the project's load generator), and writes the
# table with ratios to docs/benchmarks.md.
#
#   tests/bench/compare-redis.sh [--players 1000000] [--duration 15s] [--requests 200000] [--out docs/benchmarks.md]
#
# Workloads: ingest of one score per request (and pipelined / batched), rank of a random player,
# top 100, the 21 entries around a random player, and memory per player after seeding N players
# p0..p{N-1}. Redis runs twice, as its persistence docs describe for durable use: appendonly yes
# with appendfsync always (every write fsynced before the reply, what EventLeaderboard does), and
# with everysec (the default recommendation: up to 1 s of writes lost on a crash).
# Everything binds to 127.0.0.1 on free ports, in a private temporary folder removed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

players=1000000
duration=15s
requests=200000
out=docs/benchmarks.md
while [ $# -gt 0 ]; do
  case "$1" in
    --players) players=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

# --- prerequisites ---------------------------------------------------------------------------
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
  echo "installing Debian's redis-server and redis-tools" >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends redis-server redis-tools >/dev/null
  # The package starts a system Redis on 6379; this script uses its own.
  $sudo_cmd systemctl stop redis-server >/dev/null 2>&1 || $sudo_cmd service redis-server stop >/dev/null 2>&1 || true
fi
scripts/ensure-postgres.sh

work=$(mktemp -d /tmp/el-bench-XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # The server stops its private PostgreSQL on SIGTERM; give it the time to.
  for _ in $(seq 30); do
    alive=0; for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break; sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
results="$work/results.tsv"   # workload <TAB> system <TAB> ops/s <TAB> p50 ms <TAB> p99 ms
: > "$results"
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$results"; }

# --- Redis -----------------------------------------------------------------------------------
# redis-benchmark --csv: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
redis_bench() { # label system port clients pipeline args...
  local label=$1 system=$2 port=$3 clients=$4 pipeline=$5; shift 5
  local line
  line=$(redis-benchmark -h 127.0.0.1 -p "$port" -c "$clients" -P "$pipeline" -n "$requests" -r "$players" --csv "$@" | tail -1)
  # The test name may itself hold commas (EVAL scripts): take the numbers from the end.
  read -r rps p50 p99 < <(tr -d '"' <<<"$line" | awk -F, '{print $(NF-6), $(NF-3), $(NF-1)}')
  record "$label" "$system" "$rps" "$p50" "$p99"
}

# Ranks and windows are asked by member p<n>; redis-benchmark's __rand_int__ is zero-padded, so a
# one-line Lua script turns it into the seeded member name (the same ids the load generator uses).
rank_lua="return redis.call('ZREVRANK', KEYS[1], 'p' .. tonumber(ARGV[1]))"
around_lua="local r = redis.call('ZREVRANK', KEYS[1], 'p' .. tonumber(ARGV[1])) if not r then return nil end local s = r - 10 if s < 0 then s = 0 end return redis.call('ZREVRANGE', KEYS[1], s, r + 10, 'WITHSCORES')"

for fsync in always everysec; do
  port=$(free_port)
  dir="$work/redis-$fsync"; mkdir -p "$dir"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --appendonly yes --appendfsync "$fsync" \
    --save "" --daemonize no --logfile "$dir/redis.log" &
  pids+=($!)
  until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
  before=$(redis-cli -p "$port" info memory | awk -F: '/^used_memory:/{print $2+0}')
  # Seed p0..p{N-1} with deterministic scores through the bulk-load pipe (RESP protocol).
  awk -v n="$players" 'BEGIN { for (i = 0; i < n; i++) { m = "p" i; s = (i * 7919) % 1000000007;
      printf "*4\r\n$4\r\nZADD\r\n$2\r\nlb\r\n$%d\r\n%d\r\n$%d\r\n%s\r\n", length(s ""), s, length(m), m } }' \
    | redis-cli -p "$port" --pipe >/dev/null
  after=$(redis-cli -p "$port" info memory | awk -F: '/^used_memory:/{print $2+0}')
  rss=$(redis-cli -p "$port" info memory | awk -F: '/^used_memory_rss:/{print $2+0}')
  system="Redis (appendfsync $fsync)"
  record "memory per player (bytes, used_memory delta)" "$system" $(( (after - before) / players )) "" ""
  record "memory per player (bytes, process RSS)" "$system" $(( rss / players )) "" ""
  redis_bench "ingest, one score per request (50 clients)" "$system" "$port" 50 1 zadd ingest __rand_int__ p__rand_int__
  redis_bench "ingest, pipelined 100 (8 clients)" "$system" "$port" 8 100 zadd ingest __rand_int__ p__rand_int__
  redis_bench "rank of a random player (50 clients)" "$system" "$port" 50 1 eval "$rank_lua" 1 lb __rand_int__
  redis_bench "top 100 (50 clients)" "$system" "$port" 50 1 zrevrange lb 0 99 withscores
  redis_bench "around a random player, 21 entries (50 clients)" "$system" "$port" 50 1 eval "$around_lua" 1 lb __rand_int__
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
done

# --- EventLeaderboard ------------------------------------------------------------------------
for project in src/EventLeaderboard.Server tests/EventLeaderboard.LoadGen; do
  dotnet build -c Release "$project" -v q -nologo >"$work/build.log" 2>&1 || { grep -E 'error' "$work/build.log" | head -20 >&2; exit 1; }
done
port=$(free_port)
url="http://127.0.0.1:$port/"
(
  cd "$work"
  # Development: the documented dev key; rate limits off so the tool, not the limiter, is measured.
  ASPNETCORE_ENVIRONMENT=Development Urls="$url" Storage__LocalDataDirectory="$work/pg" \
    RateLimiting__Enabled=false Logging__LogLevel__Default=Warning \
    exec dotnet "$repo/src/EventLeaderboard.Server/bin/Release/net10.0/EventLeaderboard.Server.dll" >"$work/server.log" 2>&1
) &
pids+=($!)
until curl -sf "${url}health/ready" >/dev/null 2>&1; do sleep 0.5; done
server_pid=$(pgrep -f "$repo/src/EventLeaderboard.Server/bin/Release/net10.0/EventLeaderboard.Server.dll" | head -1)
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$server_pid/status"; }
lg() { dotnet "$repo/tests/EventLeaderboard.LoadGen/bin/Release/net10.0/EventLeaderboard.LoadGen.dll" --url "$url" --board bench --players "$players" "$@"; }
summary() { # file op rate-field -> "rate p50 p99"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); l=d['latencyMs'][sys.argv[2]]; print(round(d[sys.argv[3]]), round(l['p50'],2), round(l['p99'],2))" "$@"
}
rss_before=$(rss_kb)
lg seed --clients 8 >"$work/seed.log" 2>&1
sleep 2
rss_after=$(rss_kb)
system="EventLeaderboard (fsync per commit)"
record "memory per player (bytes, process RSS delta)" "$system" $(( (rss_after - rss_before) * 1024 / players )) "" ""
record "memory per player (bytes, process RSS)" "$system" $(( rss_after * 1024 / players )) "" ""

lg ingest-single --clients 50 --duration "$duration" --json-out "$work/single.json" >"$work/single.log" 2>&1 || true
read -r rps p50 p99 < <(summary "$work/single.json" single requestsPerSecond)
record "ingest, one score per request (50 clients)" "$system" "$rps" "$p50" "$p99"
lg ingest-batch --clients 8 --batch 100 --duration "$duration" --json-out "$work/batch.json" >"$work/batch.log" 2>&1 || true
read -r eps p50 p99 < <(summary "$work/batch.json" batch eventsPerSecond)
record "ingest, pipelined 100 (8 clients)" "$system" "$eps" "$p50" "$p99"
for kind in rank top around; do
  lg query --kind "$kind" --connections 50 --duration "$duration" --json-out "$work/$kind.json" >"$work/$kind.log" 2>&1 || true
  read -r rps p50 p99 < <(summary "$work/$kind.json" "$kind" requestsPerSecond)
  case $kind in
    rank) label="rank of a random player (50 clients)" ;;
    top) label="top 100 (50 clients)" ;;
    around) label="around a random player, 21 entries (50 clients)" ;;
  esac
  record "$label" "$system" "$rps" "$p50" "$p99"
done

# --- table -----------------------------------------------------------------------------------
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
python3 - "$results" "$out" "$players" "$duration" "$requests" "$commit" <<'PY'
import sys, collections, datetime, os
results, out, players, duration, requests, commit = sys.argv[1:]
rows = collections.OrderedDict()
for line in open(results):
    workload, system, value, p50, p99 = line.rstrip("\n").split("\t")
    rows.setdefault(workload, {})[system] = (value, p50, p99)
el = "EventLeaderboard (fsync per commit)"
always, everysec = "Redis (appendfsync always)", "Redis (appendfsync everysec)"
def cell(v):
    if v is None: return "-"
    value, p50, p99 = v
    return value + (f" (p50 {p50} / p99 {p99} ms)" if p50 else "")
def ratio(a, b):
    try: return f"{float(a[0]) / float(b[0]):.2f}"
    except Exception: return "-"
cpu = os.cpu_count()
lines = [
    f"| workload ({int(players):,} players) | {el} | {always} | {everysec} | EL / always | EL / everysec |",
    "|---|---|---|---|---|---|",
]
for workload, systems in rows.items():
    e, a, s = systems.get(el), systems.get(always), systems.get(everysec)
    lines.append(f"| {workload} | {cell(e)} | {cell(a)} | {cell(s)} | {ratio(e, a) if e and a else '-'} | {ratio(e, s) if e and s else '-'} |")
table = "\n".join(lines)
stamp = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")
section = f"""
## Run of {stamp} (commit {commit}, {cpu} cores, players {int(players):,}, {duration} per server workload, {int(requests):,} requests per Redis workload)

Command: `tests/bench/compare-redis.sh --players {players} --duration {duration} --requests {requests}`

Throughput is operations/s (for ingest rows: scores/s); latency as each tool reports it.

{table}
"""
header = open(out).read() if os.path.exists(out) else "# Benchmarks beside Redis\n"
open(out, "w").write(header.rstrip("\n") + "\n" + section)
print(section)
PY
