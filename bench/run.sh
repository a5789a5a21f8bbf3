#!/usr/bin/env bash
# One benchmark run: the upstream-mock direct, through nginx as a plain proxy, and through Sluice
# (Redis limiter on, limit high enough that nothing is rejected), each with the same wrk load.
# Only ratios from one run mean anything on a shared machine; see RESULTS.md.
#
#   bench/run.sh [duration-seconds] [connections]
#
# Needs wrk, nginx and redis-server from Debian's packages: installs them if missing (as root).
# Every process it starts listens on 127.0.0.1 and is stopped by PID when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNECTIONS=${2:-32}
THREADS=${THREADS:-1}
GATEWAY_INSTANCES=${GATEWAY_INSTANCES:-2}
OUT=bench/out
mkdir -p "$OUT"

need() {
  local missing=()
  for pkg in "$@"; do
    command -v "${pkg%%:*}" >/dev/null 2>&1 || missing+=("${pkg#*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} from Debian's packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}
need wrk:wrk nginx:nginx redis-server:redis-server

if [ ! -f gateway-app/target/sluice.jar ] || [ ! -f upstream-mock/target/upstream-mock.jar ]; then
  mvn -B -q package -DskipTests
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
MOCK_PORT=$(free_port); REDIS_PORT=$(free_port); NGINX_PORT=$(free_port); GW_PORT=$(free_port)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_http() {
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 0.2
  done
  echo "not answering: $1" >&2; return 1
}

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$OUT/redis.log" 2>&1 &
PIDS+=($!)
java -jar upstream-mock/target/upstream-mock.jar --port "$MOCK_PORT" >"$OUT/mock.log" 2>&1 &
PIDS+=($!)

cat >"$OUT/nginx.conf" <<NGINX
worker_processes auto;
pid $PWD/$OUT/nginx.pid;
error_log $PWD/$OUT/nginx-error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  upstream mock { server 127.0.0.1:$MOCK_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
NGINX
nginx -c "$PWD/$OUT/nginx.conf" -p "$PWD/$OUT" &
PIDS+=($!)

cat >"$OUT/gateway.yaml" <<YAML
http: { host: 127.0.0.1, port: $GW_PORT }
redis: { url: "redis://127.0.0.1:$REDIS_PORT" }
log: { access: false }
defaults:
  rateLimit: { limit: 100000000, windowMs: 1000 }
routes:
  - name: bench
    prefix: /
    upstream: http://127.0.0.1:$MOCK_PORT
YAML
java -jar gateway-app/target/sluice.jar run --config "$OUT/gateway.yaml" --instances "$GATEWAY_INSTANCES" >"$OUT/gateway.log" 2>&1 &
PIDS+=($!)

wait_http "http://127.0.0.1:$MOCK_PORT/static"
wait_http "http://127.0.0.1:$NGINX_PORT/static"
wait_http "http://127.0.0.1:$GW_PORT/static"

run_wrk() { # name url
  # warm-up (JIT, pools), then the measured run
  wrk -t"$THREADS" -c"$CONNECTIONS" -d3s "$2" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$2" >"$OUT/$1.txt"
}
run_wrk direct "http://127.0.0.1:$MOCK_PORT/static"
run_wrk nginx "http://127.0.0.1:$NGINX_PORT/static"
run_wrk sluice "http://127.0.0.1:$GW_PORT/static"

# Redis must have seen the limiter's keys, or the run measured something else.
KEYS=$(redis-cli -p "$REDIS_PORT" --scan --pattern 'sluice:rl:*' | wc -l)

rps() { awk '/^Requests\/sec/ {print $2}' "$OUT/$1.txt"; }
pct() { awk -v p="$2" '$1 == p {print $2}' "$OUT/$1.txt"; }
errors() { awk '/Non-2xx|Socket errors/ {print}' "$OUT/$1.txt" | tr '\n' ' '; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

D=$(rps direct); N=$(rps nginx); S=$(rps sluice)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
echo
echo "Sluice benchmark $(date -u +%Y-%m-%d) commit $COMMIT: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, GET /static, gateway --instances $GATEWAY_INSTANCES, limiter keys in Redis: $KEYS"
printf '| %-22s | %10s | %8s | %8s | %s\n' target req/s p50 p99 notes
printf '| %-22s | %10s | %8s | %8s | %s\n' "direct (upstream-mock)" "$D" "$(pct direct 50%)" "$(pct direct 99%)" "$(errors direct)"
printf '| %-22s | %10s | %8s | %8s | %s\n' "nginx proxy" "$N" "$(pct nginx 50%)" "$(pct nginx 99%)" "$(errors nginx)"
printf '| %-22s | %10s | %8s | %8s | %s\n' "sluice (limiter on)" "$S" "$(pct sluice 50%)" "$(pct sluice 99%)" "$(errors sluice)"
echo
echo "ratios: nginx/direct $(ratio "$N" "$D")  sluice/direct $(ratio "$S" "$D")  sluice/nginx $(ratio "$S" "$N")"
