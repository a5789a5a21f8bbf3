#!/usr/bin/env bash
# A/B of gateway builds or JVM flags on one hop, nginx measured in every round beside them:
#
#   bench/ab.sh "name|path/to/sluice.jar|java flags" "name|floor|" ...
#
# Each variant is started alone (upstream-mock and nginx stay up), loaded WARMUP seconds with wrk,
# then measured DURATION seconds; ROUNDS rounds, the variants in the same order each round. A jar
# of "floor" runs bench/floor/VertxFloor.java (the least a Vert.x proxy hop costs) on FLOOR_JAR's
# classes (cleartext only). Printed per run: req/s, p99 and µs of CPU per request of the proxy process (nginx: master
# and workers). On these shared 2-core machines req/s swings 10-30 % between rounds of one jar:
# compare variants within a round, over several rounds, never across runs.
#
# Knobs: ROUNDS (3), WARMUP (20), DURATION (10), CONNECTIONS (32), INSTANCES (2), TLS=1 (HTTPS/1.1
# keep-alive, one self-signed EC certificate for nginx and Sluice), REDIS=live (a Redis limiter
# with a limit far above the load; default: no Redis, `onFailure: open`).
# Every process listens on 127.0.0.1 and is stopped by PID at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}; WARMUP=${WARMUP:-20}; DURATION=${DURATION:-10}; CONNECTIONS=${CONNECTIONS:-32}
INSTANCES=${INSTANCES:-2}; TLS=${TLS:-0}; REDIS=${REDIS:-none}
FLOOR_JAR=${FLOOR_JAR:-gateway-app/target/sluice.jar}
OUT=bench/out/ab; mkdir -p "$OUT"
[ $# -gt 0 ] || { sed -n '2,16p' "$0"; exit 2; }
for tool in wrk nginx openssl curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool (Debian: apt-get install wrk nginx openssl curl)" >&2; exit 2; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
MOCK_PORT=$(free_port); NGINX_PORT=$(free_port); GW_PORT=$(free_port); ADMIN_PORT=$(free_port); REDIS_PORT=$(free_port)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
wait_http() {
  for _ in $(seq 1 150); do curl -kfs -m 2 -o /dev/null "$1" && return 0; sleep 0.2; done
  echo "not answering: $1" >&2; return 1
}

java -jar upstream-mock/target/upstream-mock.jar --host 127.0.0.1 --port "$MOCK_PORT" >"$OUT/mock.log" 2>&1 &
PIDS+=($!)
if [ "$REDIS" = live ]; then
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >"$OUT/redis.log" 2>&1 &
  PIDS+=($!)
  REDIS_YAML="{ url: \"redis://127.0.0.1:$REDIS_PORT\" }"
else
  REDIS_YAML="{ url: \"redis://127.0.0.1:1\", onFailure: open }"
fi
SCHEME=http; NGINX_LISTEN="listen 127.0.0.1:$NGINX_PORT;"; GW_TLS=""
if [ "$TLS" = 1 ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$OUT/tls.key" -out "$OUT/tls.crt" 2>/dev/null
  SCHEME=https
  NGINX_LISTEN="listen 127.0.0.1:$NGINX_PORT ssl; ssl_certificate $PWD/$OUT/tls.crt; ssl_certificate_key $PWD/$OUT/tls.key; ssl_protocols TLSv1.2 TLSv1.3;"
  GW_TLS=", tls: { cert: $PWD/$OUT/tls.crt, key: $PWD/$OUT/tls.key }"
fi
cat >"$OUT/nginx.conf" <<NGINX
worker_processes auto;
pid $PWD/$OUT/nginx.pid;
error_log $PWD/$OUT/nginx-error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  # nginx closes a client connection after 1 000 requests by default (h2 too, with a GOAWAY that
  # h2load does not reconnect after: 32 connections x 1 000 in 10 s capped the h2 row at 3 200 req/s);
  # Sluice has no such limit, so neither does the nginx it is measured against.
  keepalive_requests 1000000;
  upstream mock { server 127.0.0.1:$MOCK_PORT; keepalive 64; }
  server {
    $NGINX_LISTEN
    location / { proxy_pass http://mock; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
nginx -c "$PWD/$OUT/nginx.conf" -p "$PWD/$OUT" &
NGINX_PID=$!; PIDS+=($NGINX_PID)
cat >"$OUT/gateway.yaml" <<YAML
http: { host: 127.0.0.1, port: $GW_PORT$GW_TLS }
admin: { host: 127.0.0.1, port: $ADMIN_PORT }
redis: $REDIS_YAML
log: { access: false }
clients: { identity: "header:X-Api-Key" }
defaults:
  rateLimit: { limit: 100000000, windowMs: 1000 }
routes:
  - name: bench
    prefix: /
    upstream: http://127.0.0.1:$MOCK_PORT
YAML
wait_http "http://127.0.0.1:$MOCK_PORT/static"
wait_http "$SCHEME://127.0.0.1:$NGINX_PORT/static"

# utime+stime (clock ticks) of a process and its children
ticks() {
  local total=0 pid
  for pid in "$1" $(pgrep -P "$1" || true); do
    [ -r "/proc/$pid/stat" ] && total=$((total + $(awk '{print $14+$15}' "/proc/$pid/stat")))
  done
  echo "$total"
}
measure() { # label url pid
  wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "$2" >/dev/null 2>&1
  local before after result requests
  before=$(ticks "$3")
  result=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$2" 2>&1)
  after=$(ticks "$3")
  requests=$(awk '/requests in/ {print $1}' <<<"$result")
  printf "%-24s %10s req/s  p99 %9s  %6s µs/req  non-2xx %s  load %s\n" "$1" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$result")" "$(awk '$1 == "99%" {print $2}' <<<"$result")" \
    "$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN {printf "%.1f", t * 1e6 / hz / n}')" \
    "$(awk '/Non-2xx/ {print $NF; found = 1} END {if (!found) print 0}' <<<"$result")" "$(cut -d' ' -f1 /proc/loadavg)"
}

echo "bench/ab.sh $(date -u +%Y-%m-%dT%H:%MZ): wrk -t1 -c$CONNECTIONS, ${WARMUP}s warm-up + ${DURATION}s, $SCHEME, redis $REDIS, $INSTANCES instances"
for round in $(seq 1 "$ROUNDS"); do
  echo "-- round $round"
  measure nginx "$SCHEME://127.0.0.1:$NGINX_PORT/static" "$NGINX_PID"
  for variant in "$@"; do
    IFS='|' read -r name jar flags <<<"$variant"
    # shellcheck disable=SC2086 # flags is a list of JVM flags
    if [ "$jar" = floor ]; then
      java $flags -cp "$FLOOR_JAR" bench/floor/VertxFloor.java "$GW_PORT" "$MOCK_PORT" "$INSTANCES" >"$OUT/$name.log" 2>&1 &
    else
      java $flags -jar "$jar" run --config "$OUT/gateway.yaml" --instances "$INSTANCES" >"$OUT/$name.log" 2>&1 &
    fi
    pid=$!; PIDS+=($pid)
    if wait_http "$SCHEME://127.0.0.1:$GW_PORT/static"; then
      measure "$name" "$SCHEME://127.0.0.1:$GW_PORT/static" "$pid"
    else
      echo "$name did not start: see $OUT/$name.log"
    fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
done
