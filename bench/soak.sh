#!/usr/bin/env bash
# The soak: three clustered gateway JVMs, one Redis, three upstream-mock targets behind one route,
# mixed traffic at a fixed rate for SEGMENTS x SEGMENT_SECONDS (10 x 60 s), with the bad day
# scripted in: a target killed and brought back, a gateway node restarted, Redis restarted.
# Reported from the client side, per segment: answers by status, socket errors, p50/p99/max
# latency, the hot key's admitted answers against its limit (the exact limit across nodes), and
# each gateway's RSS at the start and at the end.
#
#   bench/soak.sh                      # the full soak (about 11 minutes)
#   SEGMENTS=3 SEGMENT_SECONDS=10 bench/soak.sh   # a smoke run
#
# Knobs: CONNECTIONS per gateway (8), DELAY_MS between one connection's requests (40: 25 req/s per
# connection, 600 req/s in all with three gateways), HOT_LIMIT (admitted per window of
# SEGMENT_SECONDS + WINDOW_MARGIN_S (5) for the hot key, 3000), GATEWAY_INSTANCES (2), SKIP_BUILD=1.
# Needs wrk and redis-server (installed from Debian's packages if missing, as root). Everything
# listens on 127.0.0.1; every process started here is stopped by PID at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
SEGMENTS=${SEGMENTS:-10}
SEGMENT_SECONDS=${SEGMENT_SECONDS:-60}
CONNECTIONS=${CONNECTIONS:-8}
DELAY_MS=${DELAY_MS:-40}
HOT_LIMIT=${HOT_LIMIT:-3000}
# The window is a little longer than a segment: the three wrk runs of a segment start a few ms apart
# and their answers arrive after its start, so a segment's answers span a little more than
# SEGMENT_SECONDS; with a longer window, a segment holding more than the limit is a real breach of
# the sliding window (any window-long span), not an artefact of the segment's edges.
WINDOW_MARGIN_S=${WINDOW_MARGIN_S:-5}
GATEWAY_INSTANCES=${GATEWAY_INSTANCES:-2}
OUT=bench/out/soak
rm -rf "$OUT" && mkdir -p "$OUT"

for tool in wrk redis-server redis-cli; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    pkg=$tool; [ "$tool" = redis-cli ] && pkg=redis-tools
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null
  fi
done
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  mvn -B -q package -DskipTests
fi
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
REDIS_PORT=$(free_port); HZ_PORT=$(free_port)
MOCK_PORTS=($(free_port) $(free_port) $(free_port))
GW_PORTS=($(free_port) $(free_port) $(free_port))
ADMIN_PORTS=($(free_port) $(free_port) $(free_port))
CLUSTER="sluice-soak-$$"
declare -A PID_OF=()

stop_pid() { # pid: TERM, then KILL after 20 s; bounded
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  for name in "${!PID_OF[@]}"; do stop_pid "${PID_OF[$name]}" & done
  wait 2>/dev/null || true
}
trap cleanup EXIT

wait_http() {
  for _ in $(seq 1 300); do
    curl -fs -m 2 -o /dev/null "$1" && return 0
    sleep 0.2
  done
  echo "not answering: $1" >&2; return 1
}

start_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no >"$OUT/redis.log" 2>&1 &
  PID_OF[redis]=$!
  for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
}
start_mock() { # index
  java -Xmx256m -jar upstream-mock/target/upstream-mock.jar --host 127.0.0.1 --port "${MOCK_PORTS[$1]}" \
    >>"$OUT/mock-$1.log" 2>&1 &
  PID_OF[mock$1]=$!
  wait_http "http://127.0.0.1:${MOCK_PORTS[$1]}/status/200"
}
gateway_yaml() { # index
  cat <<YAML
http: { host: 127.0.0.1, port: ${GW_PORTS[$1]} }
admin: { host: 127.0.0.1, port: ${ADMIN_PORTS[$1]} }
redis: { url: "redis://127.0.0.1:$REDIS_PORT", timeoutMs: 50, onFailure: local }
log: { access: false }
clients: { identity: "header:X-Api-Key" }
defaults:
  timeoutMs: 1000
  rateLimit: { limit: $HOT_LIMIT, windowMs: $(((SEGMENT_SECONDS + WINDOW_MARGIN_S) * 1000)) }
  circuit: { failureThreshold: 20, resetTimeoutMs: 5000 }
routes:
  - name: api
    prefix: /api
    stripPrefix: true
    upstream: ["http://127.0.0.1:${MOCK_PORTS[0]}", "http://127.0.0.1:${MOCK_PORTS[1]}", "http://127.0.0.1:${MOCK_PORTS[2]}"]
    retry: { maxAttempts: 3, initialDelayMs: 5, jitter: full }
    outlier: { consecutiveFailures: 3, ejectMs: 5000 }
    health: { path: /status/200, intervalMs: 1000 }
  - name: retry
    prefix: /retry
    stripPrefix: true
    upstream: "http://127.0.0.1:${MOCK_PORTS[0]}"
    retry: { maxAttempts: 3, initialDelayMs: 5, jitter: full }
    # Every first attempt here answers 503 by design (the retry answers): a real failure each,
    # which would open the circuit within a second at this rate.
    circuit: { failureThreshold: 1000000 }
YAML
}
start_gateway() { # index
  gateway_yaml "$1" >"$OUT/gateway-$1.yaml"
  SLUICE_CLUSTER_NAME="$CLUSTER" SLUICE_CLUSTER_PORT="$HZ_PORT" \
  SLUICE_CLUSTER_MEMBERS="127.0.0.1:$HZ_PORT,127.0.0.1:$((HZ_PORT + 1)),127.0.0.1:$((HZ_PORT + 2))" \
    java -Xmx512m -jar gateway-app/target/sluice.jar run --config "$OUT/gateway-$1.yaml" --cluster \
    --instances "$GATEWAY_INSTANCES" >>"$OUT/gateway-$1.log" 2>&1 &
  PID_OF[gw$1]=$!
  wait_http "http://127.0.0.1:${GW_PORTS[$1]}/__health"
}
rss_mb() { echo $(( $(ps -o rss= -p "$1" 2>/dev/null || echo 0) / 1024 )); }

start_redis
for i in 0 1 2; do start_mock "$i"; done
for i in 0 1 2; do start_gateway "$i"; done
RSS_START=(); for i in 0 1 2; do RSS_START+=("$(rss_mb "${PID_OF[gw$i]}")"); done

# The bad day, by segment: kill target 3 during segment 2 (back in 4), restart gateway 2 in
# segment 5, restart Redis in segment 7. Each event starts a few seconds into its segment.
# Runs in this shell (not a subshell): the processes it starts must land in PID_OF.
event_for() {
  case $1 in
    2) EVENT="kill target 3"; stop_pid "${PID_OF[mock2]}" ;;
    4) EVENT="target 3 back"; start_mock 2 ;;
    5) EVENT="restart gateway 2"; stop_pid "${PID_OF[gw1]}"; start_gateway 1 ;;
    7) EVENT="restart Redis"; stop_pid "${PID_OF[redis]}"; start_redis ;;
  esac
}

printf '%s\n' "| segment | event | requests | socket errors | statuses | hot admitted (limit $HOT_LIMIT) | p50 ms | p99 ms | max ms |" \
  "|---|---|---|---|---|---|---|---|---|" >"$OUT/table.md"
OVER=0
for seg in $(seq 1 "$SEGMENTS"); do
  pids=()
  for i in 0 1 2; do
    SOAK_DELAY_MS=$DELAY_MS SOAK_PREFIX="s$seg-g$i-" wrk -t1 -c"$CONNECTIONS" -d"${SEGMENT_SECONDS}s" --timeout 5s \
      -s bench/soak.lua "http://127.0.0.1:${GW_PORTS[$i]}" >"$OUT/wrk-$seg-$i.txt" 2>&1 &
    pids+=($!)
  done
  EVENT=""
  if [ "$seg" -ne 1 ]; then
    sleep 3
    event_for "$seg" >>"$OUT/events.log" 2>&1 || echo "event of segment $seg failed" >>"$OUT/events.log"
  fi
  event=$EVENT
  for pid in "${pids[@]}"; do wait "$pid" || true; done
  # One line per gateway; add them up.
  python3 - "$OUT" "$seg" "$event" "$HOT_LIMIT" >>"$OUT/table.md" <<'PY'
import re, sys
out, seg, event, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
req = err = hot = 0; statuses = {}; p50 = []; p99 = []; mx = 0.0
for i in range(3):
    text = open(f"{out}/wrk-{seg}-{i}.txt").read()
    m = re.search(r"SOAK requests=(\d+) errors=(\d+) p50_ms=([\d.]+) p99_ms=([\d.]+) max_ms=([\d.]+) hot_ok=(\d+) statuses=(\S*)", text)
    if not m:
        continue
    req += int(m[1]); err += int(m[2]); p50.append(float(m[3])); p99.append(float(m[4])); mx = max(mx, float(m[5])); hot += int(m[6])
    for part in filter(None, m[7].split(",")):
        code, n = part.split("="); statuses[code] = statuses.get(code, 0) + int(n)
codes = " ".join(f"{c}:{n}" for c, n in sorted(statuses.items()))
flag = "" if hot <= limit else " **over**"
print(f"| {seg} | {event or '—'} | {req} | {err} | {codes} | {hot}{flag} | {max(p50) if p50 else 0:.1f} | {max(p99) if p99 else 0:.1f} | {mx:.0f} |")
PY
  if tail -1 "$OUT/table.md" | grep -q '\*\*over\*\*'; then OVER=$((OVER + 1)); fi
done

RSS_END=(); for i in 0 1 2; do RSS_END+=("$(rss_mb "${PID_OF[gw$i]}")"); done
{
  echo
  echo "Commit $COMMIT, $(date -u +%Y-%m-%d), $SEGMENTS x ${SEGMENT_SECONDS}s, 3 gateways x $GATEWAY_INSTANCES instances,"
  echo "$CONNECTIONS connections per gateway at one request per ${DELAY_MS} ms each. p50/p99: the slowest gateway's."
  echo "Gateway RSS (MiB) start -> end: 1: ${RSS_START[0]} -> ${RSS_END[0]}, 2: ${RSS_START[1]} -> ${RSS_END[1]} (restarted in segment 5), 3: ${RSS_START[2]} -> ${RSS_END[2]}."
  echo "Segments with the hot key admitted over its limit: $OVER (a Redis restart loses the window: the segment after it may see up to twice the limit)."
} >>"$OUT/table.md"
cat "$OUT/table.md"
