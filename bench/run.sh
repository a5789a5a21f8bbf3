#!/usr/bin/env bash
# One benchmark run: the upstream-mock direct, through nginx as a plain proxy, and through Sluice
# (Redis limiter on, limit high enough that nothing is rejected; one hot API key, then 10 000 keys
# in turn twice: on an API plan's limit, PLAN_LIMIT a minute, far above what each key sends over the
# run, and as a stress row on a 1-second window), each with the same wrk load, and 1 MiB answers through each (MB/s); the auth rows: a JWT route
# (RS256, 1 000 tokens of 1 000 subjects in turn, bench/many-tokens.lua) and an API-key route (10 000
# consumers' keys in turn, bench/many-apikeys.lua), each compared with the 10 000-client row (same
# gateway, a route without auth); credentials made by bench/auth-fixtures.py; cache hits for
# 1 000 hot URLs through Sluice's response cache (limiter on) and nginx's proxy_cache, with the
# upstream calls made while measuring (0 when both serve every request from their cache);
# then Sluice once more with Redis unreachable and `redis.onFailure: open`, which is as close to
# "limiter off" as the config allows. Only ratios from one run mean anything on a shared
# machine; see RESULTS.md. Each row reports wrk's non-2xx count, which must be 0 (the limit is far
# above the load and the upstream healthy); a row that is not gets a NON-2XX line under the table.
# The edge rows: HTTPS/1.1 keep-alive (wrk) and h2 (h2load, -m streams per connection) through nginx
# (`listen … ssl http2`) and through Sluice (http.tls, limiter on), both serving one self-signed
# EC certificate made with openssl for the run. EDGE_ONLY=1 runs only those rows (a smoke test).
#
#   bench/run.sh [duration-seconds] [connections]
#
# Knobs (environment): THREADS (wrk threads, 1), WARMUP (seconds of load before each measured run,
# 15: the gateway's JIT is still compiling after 5), GATEWAY_INSTANCES (2), GATEWAY_JAVA_OPTS
# (JVM flags for the gateway, none), SKIP_BUILD=1 (measure the jars as they are, even if stale),
# H2_STREAMS (concurrent h2 streams per connection, 10), EDGE_ONLY=1 (only the TLS and h2 rows),
# PLAN_LIMIT (requests per PLAN_WINDOW_MS of the API-plan route, 1000) and PLAN_WINDOW_MS (60000).
# A smoke test of the whole script: WARMUP=1 LARGE_WARMUP=1 bench/run.sh 3
#
# Script calls per request (the limiter's cost in Redis): Redis `INFO commandstats`, the calls of
# EVAL, EVALSHA and FCALL (and their _ro forms), read before and after each measured run and
# divided by wrk's request count; in the notes under the table for the limiter rows.
#
# Needs wrk, nginx and redis-server from Debian's packages: installs them if missing (as root).
# Every process it starts listens on 127.0.0.1 and is stopped by PID when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
CONNECTIONS=${2:-32}
THREADS=${THREADS:-1}
WARMUP=${WARMUP:-15}
GATEWAY_INSTANCES=${GATEWAY_INSTANCES:-2}
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:-}
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
need wrk:wrk nginx:nginx redis-server:redis-server redis-cli:redis-tools h2load:nghttp2-client openssl:openssl
H2_STREAMS=${H2_STREAMS:-10}
EDGE_ONLY=${EDGE_ONLY:-0}
PLAN_LIMIT=${PLAN_LIMIT:-1000}
PLAN_WINDOW_MS=${PLAN_WINDOW_MS:-60000}

# The table is labelled with a commit, so measure that commit's code: build unless told not to.
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  mvn -B -q package -DskipTests
fi
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  COMMIT="$COMMIT+uncommitted"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
MOCK_PORT=$(free_port); REDIS_PORT=$(free_port); NGINX_PORT=$(free_port); GW_PORT=$(free_port)
GW_OPEN_PORT=$(free_port); DEAD_REDIS_PORT=$(free_port); NGINX_CACHE_PORT=$(free_port)
ADMIN_PORT=$(free_port); ADMIN_OPEN_PORT=$(free_port)
NGINX_TLS_PORT=$(free_port); GW_TLS_PORT=$(free_port); ADMIN_TLS_PORT=$(free_port)
PIDS=()
# TERM every process we started, by PID; whatever is still alive 10 s later gets KILL. Bounded.
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 100); do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

wait_http() {
  for _ in $(seq 1 100); do
    curl -kfs -m 2 -o /dev/null "$1" && return 0
    sleep 0.2
  done
  echo "not answering: $1" >&2; return 1
}

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$OUT/redis.log" 2>&1 &
REDIS_PID=$!; PIDS+=($REDIS_PID)
java -jar upstream-mock/target/upstream-mock.jar --host 127.0.0.1 --port "$MOCK_PORT" >"$OUT/mock.log" 2>&1 &
MOCK_PID=$!; PIDS+=($MOCK_PID)

# One certificate for both TLS servers: the same key size and curve, so the handshakes cost the same.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$OUT/tls.key" -out "$OUT/tls.crt" 2>/dev/null

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
  proxy_cache_path $PWD/$OUT/nginx-cache levels=1:2 keys_zone=hot:10m max_size=100m inactive=10m use_temp_path=off;
  # The cache row: /cached/<path> is the mock's /<path>, as Sluice's "cached" route strips its prefix.
  server {
    listen 127.0.0.1:$NGINX_CACHE_PORT;
    location /cached/ {
      proxy_pass http://mock/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache hot;
      proxy_cache_valid 200 10m;
      proxy_cache_lock on;
      add_header X-Cache \$upstream_cache_status;
    }
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
  server {
    # nginx 1.22 (Debian 12) spells "http2 on" this way
    listen 127.0.0.1:$NGINX_TLS_PORT ssl http2;
    ssl_certificate $PWD/$OUT/tls.crt;
    ssl_certificate_key $PWD/$OUT/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    http2_max_concurrent_streams 100;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
NGINX
nginx -c "$PWD/$OUT/nginx.conf" -p "$PWD/$OUT" &
NGINX_PID=$!; PIDS+=($NGINX_PID)

# The auth rows' credentials: an RSA key and 1 000 tokens signed by it, 10 000 API keys and their consumers.
python3 bench/auth-fixtures.py "$OUT"

# The admin API stays on (as in production: its metrics registry is on the request path).
gateway_yaml() { # port admin-port redis-yaml [more http keys]
  cat <<YAML
http: { host: 127.0.0.1, port: $1${4:-} }
admin: { host: 127.0.0.1, port: $2 }
redis: $3
log: { access: false }
clients: { identity: "header:X-Api-Key" }
defaults:
  rateLimit: { limit: 100000000, windowMs: 1000 }
routes:
  - name: bench
    prefix: /
    upstream: http://127.0.0.1:$MOCK_PORT
  # An API plan: far above what each of the 10 000 keys sends (see the notes), so nothing is refused.
  - name: plan
    prefix: /plan
    stripPrefix: true
    upstream: http://127.0.0.1:$MOCK_PORT
    rateLimit: { limit: $PLAN_LIMIT, windowMs: $PLAN_WINDOW_MS }
  - name: jwt
    prefix: /jwt
    stripPrefix: true
    upstream: http://127.0.0.1:$MOCK_PORT
    auth: jwt
    identity: jwt:sub
    jwt:
      algorithms: [RS256]
      publicKey: |
$(sed 's/^/        /' "$OUT/jwt-public.pem")
  - name: keyed
    prefix: /keyed
    stripPrefix: true
    upstream: http://127.0.0.1:$MOCK_PORT
    auth: apiKey
  - name: cached
    prefix: /cached
    stripPrefix: true
    upstream: http://127.0.0.1:$MOCK_PORT
    cache: { ttlSeconds: 600 }
YAML
}
gateway_yaml "$GW_PORT" "$ADMIN_PORT" "{ url: \"redis://127.0.0.1:$REDIS_PORT\" }" >"$OUT/gateway.yaml"
# Nothing listens on DEAD_REDIS_PORT: the limiter marks Redis down at start and answers every
# request with `open` (allowed, not counted) at once, probing Redis every 250 ms.
gateway_yaml "$GW_OPEN_PORT" "$ADMIN_OPEN_PORT" "{ url: \"redis://127.0.0.1:$DEAD_REDIS_PORT\", onFailure: open }" >"$OUT/gateway-open.yaml"
gateway_yaml "$GW_TLS_PORT" "$ADMIN_TLS_PORT" "{ url: \"redis://127.0.0.1:$REDIS_PORT\" }" \
  ", tls: { cert: $PWD/$OUT/tls.crt, key: $PWD/$OUT/tls.key }" >"$OUT/gateway-tls.yaml"
# shellcheck disable=SC2086
java $GATEWAY_JAVA_OPTS -jar gateway-app/target/sluice.jar run --config "$OUT/gateway-tls.yaml" --instances "$GATEWAY_INSTANCES" >"$OUT/gateway-tls.log" 2>&1 &
GW_TLS_PID=$!; PIDS+=($GW_TLS_PID)
# shellcheck disable=SC2086 # GATEWAY_JAVA_OPTS is a list of flags
java $GATEWAY_JAVA_OPTS -jar gateway-app/target/sluice.jar run --config "$OUT/gateway.yaml" --instances "$GATEWAY_INSTANCES" >"$OUT/gateway.log" 2>&1 &
GW_PID=$!; PIDS+=($GW_PID)
# shellcheck disable=SC2086
java $GATEWAY_JAVA_OPTS -jar gateway-app/target/sluice.jar run --config "$OUT/gateway-open.yaml" --instances "$GATEWAY_INSTANCES" >"$OUT/gateway-open.log" 2>&1 &
GW_OPEN_PID=$!; PIDS+=($GW_OPEN_PID)

wait_http "http://127.0.0.1:$MOCK_PORT/static"
wait_http "http://127.0.0.1:$NGINX_PORT/static"
wait_http "http://127.0.0.1:$NGINX_CACHE_PORT/cached/static"
wait_http "http://127.0.0.1:$GW_PORT/static"
wait_http "http://127.0.0.1:$GW_OPEN_PORT/static"
redis-cli -p "$REDIS_PORT" --pipe <"$OUT/consumers.resp" >"$OUT/consumers-load.log"
CONSUMERS=$(redis-cli -p "$REDIS_PORT" --scan --pattern 'sluice:apikey:*' | wc -l)
wait_http "https://127.0.0.1:$NGINX_TLS_PORT/static"
wait_http "https://127.0.0.1:$GW_TLS_PORT/static"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# CPU accounting, so a number can be explained (and a disturbed run recognised): clock ticks used by
# a process and its children, and by the whole machine (steal excluded).
HZ=$(getconf CLK_TCK)
proc_ticks() { # pid...: utime+stime of these processes and their live children
  local total=0 pid kid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    total=$((total + $(awk '{print $14+$15}' "/proc/$pid/stat")))
    for kid in $(pgrep -P "$pid" || true); do
      [ -r "/proc/$kid/stat" ] && total=$((total + $(awk '{print $14+$15}' "/proc/$kid/stat")))
    done
  done
  echo "$total"
}
# CPU of this shell's reaped children (fields cutime+cstime): after a foreground wrk, that is wrk's.
reaped_ticks() { awk '{print $16+$17}' "/proc/$$/stat"; }
machine_ticks() { awk '/^cpu / {print $2+$3+$4+$7+$8}' /proc/stat; }
fallbacks() { grep -c 'Redis unavailable' "$1" 2>/dev/null || true; }
# Calls the upstream-mock counted (its control endpoints are not counted themselves).
mock_calls() { curl -fs -m 5 "http://127.0.0.1:$MOCK_PORT/__mock/stats" | python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])'; }
# Script calls Redis ran: EVAL, EVALSHA and FCALL (and their read-only forms), from INFO commandstats.
script_calls() { redis-cli -p "$REDIS_PORT" INFO commandstats | awk -F'[:=,]' '/^cmdstat_(eval|evalsha|fcall)(_ro)?:/ {n += $3} END {print n + 0}'; }

# h2load for LOAD=h2load, its answer written as wrk's lines that the table reads (requests, req/s,
# p50/p99 from its per-request log, non-2xx); H2_HEADER: one extra request header.
h2load_as_wrk() { # seconds url name
  local log="$OUT/$3.h2load.log"
  h2load -t"$THREADS" -c"$CONNECTIONS" -m"$H2_STREAMS" -D"$1" ${H2_HEADER:+-H "$H2_HEADER"} --log-file="$log" "$2" >"$OUT/$3.h2load.txt"
  # "finished in 2.00s, 4000.00 req/s, …"; "requests: N total, N started, N done, N succeeded, N failed, N errored,
  # N timeout"; "status codes: N 2xx, N 3xx, N 4xx, N 5xx". The streams in flight when the time is up count as
  # failed: only more failures than that are errors.
  awk -v inflight=$((CONNECTIONS * H2_STREAMS)) '/^finished in/ {print "Requests/sec: " $4}
       /^requests:/ {print $2 " requests in"; if ($10 > inflight || $14 > 0) print "Socket errors: " $10 " failed, " $12 " errored, " $14 " timeout"}
       /^status codes:/ {bad = $7 + $9; if (bad > 0) print "Non-2xx or 3xx responses: " bad}' "$OUT/$3.h2load.txt"
  sort -n -k3 "$log" | awk '{d[NR] = $3} END {if (NR) {printf "50%% %.2fms\n99%% %.2fms\n", d[int(NR * 0.5) + 1] / 1000, d[int(NR * 0.99) + 1] / 1000}}'
}
load() { # seconds url name [--latency]
  if [ "${LOAD:-wrk}" = h2load ]; then
    h2load_as_wrk "$1" "$2" "$3"
  else
    # shellcheck disable=SC2086 # WRK_ARGS is a list of arguments
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1s" ${4:-} ${WRK_ARGS:-} "$2"
  fi
}
run_wrk() { # name url gateway-log proxy-pid...   (WRK_ARGS: extra wrk arguments, e.g. a header or a script)
  local name=$1 url=$2 log=$3; shift 3
  # warm-up (JIT, pools), then the measured run
  load "$WARMUP" "$url" "$name-warmup" >"$OUT/$name-warmup.txt"
  local p0 r0 m0 t0 e0 c0
  c0=$(mock_calls)
  p0=$(proc_ticks "$@"); r0=$(proc_ticks "$REDIS_PID"); m0=$(proc_ticks "$MOCK_PID"); t0=$(machine_ticks); e0=$(script_calls)
  local w0 w1 f0 f1
  f0=$(fallbacks "$log")
  w0=$(reaped_ticks)
  load "$DURATION" "$url" "$name" --latency >"$OUT/$name.txt"
  w1=$(reaped_ticks)
  f1=$(fallbacks "$log")
  local p1 r1 m1 t1 e1 n
  p1=$(proc_ticks "$@"); r1=$(proc_ticks "$REDIS_PID"); m1=$(proc_ticks "$MOCK_PID"); t1=$(machine_ticks); e1=$(script_calls)
  echo $(($(mock_calls) - c0)) >"$OUT/$name.calls"
  n=$(awk '/requests in/ {print $1}' "$OUT/$name.txt")
  # µs of CPU per request: proxy, redis, mock, wrk, the rest of the machine; busy %; script calls;
  # limiter fallback episodes the gateway logged; the rest of the machine's share of all CPU used
  awk -v hz="$HZ" -v n="$n" -v p=$((p1 - p0)) -v r=$((r1 - r0)) -v m=$((m1 - m0)) -v w=$((w1 - w0)) -v t=$((t1 - t0)) \
      -v d="$DURATION" -v cpus="$(nproc)" -v e=$((e1 - e0)) -v f=$((f1 - f0)) 'BEGIN {
    u = 1e6 / hz / n; other = t - p - r - m - w; if (other < 0) other = 0
    printf "%.0f %.0f %.0f %.0f %.0f %.0f %d %d %.0f\n", p * u, r * u, m * u, w * u, other * u, 100 * t / hz / d / cpus, e, f, 100 * other / t
  }' >"$OUT/$name.cpu"
}
if [ "$EDGE_ONLY" != 1 ]; then
run_wrk direct "http://127.0.0.1:$MOCK_PORT/static" /dev/null
run_wrk nginx "http://127.0.0.1:$NGINX_PORT/static" /dev/null "$NGINX_PID"
# One hot client (one API key), then 10 000 clients in turn (bench/many-keys.lua): on an API plan
# (PLAN_LIMIT per PLAN_WINDOW_MS, far above what each key sends), then on a 1-second window (stress).
WRK_ARGS="-H X-Api-Key:bench-hot" run_wrk sluice "http://127.0.0.1:$GW_PORT/static" "$OUT/gateway.log" "$GW_PID"
MANY_KEYS_PATH=/plan/static WRK_ARGS="-s bench/many-keys.lua" run_wrk sluice-plan "http://127.0.0.1:$GW_PORT/plan/static" "$OUT/gateway.log" "$GW_PID"
WRK_ARGS="-s bench/many-keys.lua" run_wrk sluice-many "http://127.0.0.1:$GW_PORT/static" "$OUT/gateway.log" "$GW_PID"
# Redis must hold the limiter's keys (each expires one window after its last request), or the run
# measured something else; the script calls below say the same for every request.
KEYS=$(redis-cli -p "$REDIS_PORT" --scan --pattern 'sluice:rl:*' | wc -l)
PLAN_KEYS=$(redis-cli -p "$REDIS_PORT" --scan --pattern 'sluice:rl:{plan:*' | wc -l)
# Auth, limiter on: 1 000 JWT subjects, then 10 000 API-key consumers (a non-2xx count in the notes means
# the credentials were refused and the row measured something else).
TOKENS_FILE="$OUT/tokens.txt" WRK_ARGS="-s bench/many-tokens.lua" run_wrk sluice-jwt "http://127.0.0.1:$GW_PORT/jwt/static" "$OUT/gateway.log" "$GW_PID"
APIKEYS_FILE="$OUT/apikeys.txt" WRK_ARGS="-s bench/many-apikeys.lua" run_wrk sluice-keys "http://127.0.0.1:$GW_PORT/keyed/static" "$OUT/gateway.log" "$GW_PID"
run_wrk sluice-open "http://127.0.0.1:$GW_OPEN_PORT/static" "$OUT/gateway-open.log" "$GW_OPEN_PID"
# Large bodies: 1 MiB answers, compared in MB/s (the streaming data plane's row).
LARGE=/bytes/1048576
WARMUP=${LARGE_WARMUP:-5} run_wrk direct-1m "http://127.0.0.1:$MOCK_PORT$LARGE" /dev/null
WARMUP=${LARGE_WARMUP:-5} run_wrk nginx-1m "http://127.0.0.1:$NGINX_PORT$LARGE" /dev/null "$NGINX_PID"
WARMUP=${LARGE_WARMUP:-5} run_wrk sluice-1m "http://127.0.0.1:$GW_PORT$LARGE" "$OUT/gateway.log" "$GW_PID"
# Cache hits: 1 000 hot URLs (bench/hot-urls.lua), filled during the warm-up; the measured phase
# should call the upstream 0 times through either.
WRK_ARGS="-s bench/hot-urls.lua" run_wrk nginx-cache "http://127.0.0.1:$NGINX_CACHE_PORT" /dev/null "$NGINX_PID"
WRK_ARGS="-s bench/hot-urls.lua" run_wrk sluice-cache "http://127.0.0.1:$GW_PORT" "$OUT/gateway.log" "$GW_PID"
fi
# The edge: HTTPS/1.1 keep-alive, then h2 (H2_STREAMS streams on each connection), limiter on.
run_wrk nginx-tls "https://127.0.0.1:$NGINX_TLS_PORT/static" /dev/null "$NGINX_PID"
WRK_ARGS="-H X-Api-Key:bench-hot" run_wrk sluice-tls "https://127.0.0.1:$GW_TLS_PORT/static" "$OUT/gateway-tls.log" "$GW_TLS_PID"
LOAD=h2load run_wrk nginx-h2 "https://127.0.0.1:$NGINX_TLS_PORT/static" /dev/null "$NGINX_PID"
LOAD=h2load H2_HEADER="X-Api-Key: bench-hot" run_wrk sluice-h2 "https://127.0.0.1:$GW_TLS_PORT/static" "$OUT/gateway-tls.log" "$GW_TLS_PID"

rps() { awk '/^Requests\/sec/ {print $2}' "$OUT/$1.txt"; }
# wrk's Transfer/sec in MB/s, whatever unit it printed
mbps() { awk '/^Transfer\/sec/ {v=$2; u=substr(v, length(v)-1); v=v+0; if (u=="GB") v*=1024; else if (u=="KB") v/=1024; printf "%.0f", v}' "$OUT/$1.txt"; }
pct() { awk -v p="$2" '$1 == p {print $2}' "$OUT/$1.txt"; }
errors() { awk '/Socket errors/ {print}' "$OUT/$1.txt" | tr '\n' ' '; }
# wrk's "Non-2xx or 3xx responses: N" line, 0 when wrk printed none (every answer was 2xx/3xx)
non2xx() { awk '/Non-2xx or 3xx responses/ {n=$NF} END {print n+0}' "$OUT/$1.txt"; }
cpu() { awk -v i="$2" '{print $i}' "$OUT/$1.cpu"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
ratio4() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.4f", a / b}'; }
row() { # label name
  printf '| %-30s | %9.0f | %8s | %8s | %7s | %5s | %5s | %4s | %3s | %5s | %4s%% | %s\n' "$1" "$(rps "$2")" "$(pct "$2" 50%)" "$(pct "$2" 99%)" \
    "$(non2xx "$2")" "$(cpu "$2" 1)" "$(cpu "$2" 2)" "$(cpu "$2" 3)" "$(cpu "$2" 4)" "$(cpu "$2" 5)" "$(cpu "$2" 6)" "$(errors "$2")"
}

edge_rows() {
  row "nginx https/1.1" nginx-tls
  row "sluice https/1.1 (limiter on)" sluice-tls
  row "nginx h2 (h2load -m$H2_STREAMS)" nginx-h2
  row "sluice h2 (limiter on, -m$H2_STREAMS)" sluice-h2
  echo
  echo "edge ratios: sluice/nginx https/1.1 $(ratio "$(rps sluice-tls)" "$(rps nginx-tls)")  h2 $(ratio "$(rps sluice-h2)" "$(rps nginx-h2)")"
}
header_line() { printf '| %-30s | %9s | %8s | %8s | %7s | %5s | %5s | %4s | %3s | %5s | %5s | %s\n' target req/s p50 p99 non-2xx proxy redis mock wrk other busy notes; }
if [ "$EDGE_ONLY" = 1 ]; then
  { echo; echo "Sluice edge rows only $(date -u +%Y-%m-%d) commit $COMMIT: -c$CONNECTIONS -d${DURATION}s (after ${WARMUP}s warm-up)"
    header_line; edge_rows; } | tee "$OUT/summary.txt"
  exit 0
fi
D=$(rps direct); N=$(rps nginx); S=$(rps sluice); M=$(rps sluice-many); P=$(rps sluice-plan); O=$(rps sluice-open)
J=$(rps sluice-jwt); K=$(rps sluice-keys)
SLUICE_N=$(awk '/requests in/ {print $1}' "$OUT/sluice.txt")
{
echo
echo "Sluice benchmark $(date -u +%Y-%m-%d) commit $COMMIT: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s (after ${WARMUP}s warm-up), GET /static, gateway --instances $GATEWAY_INSTANCES${GATEWAY_JAVA_OPTS:+ ($GATEWAY_JAVA_OPTS)}"
echo "machine: $(nproc) cpus, load before: $LOAD_BEFORE; $(java -version 2>&1 | head -1); $(redis-server --version | awk '{print $1, $2, $3}'); $(nginx -v 2>&1)"
echo "CPU columns: µs of CPU per request in the proxy (nginx master+workers or the gateway JVM), redis, upstream-mock, wrk, and everything else on the machine; busy = machine CPU use (100% = both cores)"
header_line
row "direct (upstream-mock)" direct
row "nginx proxy" nginx
row "sluice (limiter on, 1 client)" sluice
row "sluice 10k clients, plan/min" sluice-plan
row "sluice 10k clients 1s (stress)" sluice-many
row "sluice (no Redis, open)" sluice-open
row "sluice JWT (RS256, 1k tokens)" sluice-jwt
row "sluice API key (10k keys)" sluice-keys
row "nginx proxy_cache (1k hot)" nginx-cache
row "sluice cache (1k hot, limiter)" sluice-cache
edge_rows
echo
echo "ratios: nginx/direct $(ratio "$N" "$D")  sluice/direct $(ratio "$S" "$D")  sluice/nginx $(ratio "$S" "$N")  sluice-10k-plan/nginx $(ratio "$P" "$N")  sluice-10k-1s-stress/nginx $(ratio "$M" "$N")  sluice-open/nginx $(ratio "$O" "$N")"
echo "auth (goal >= 0.9 of the route without auth, the 10k-client 1 s row, whose limit the auth routes share): jwt/10k-clients $(ratio "$J" "$M")  api-key/10k-clients $(ratio "$K" "$M")  (consumers in Redis: $CONSUMERS)"
echo
echo "1 MiB answers (GET $LARGE), MB/s: direct $(mbps direct-1m)  nginx $(mbps nginx-1m)  sluice $(mbps sluice-1m)  (p99: $(pct direct-1m 99%) / $(pct nginx-1m 99%) / $(pct sluice-1m 99%); non-2xx: $(non2xx direct-1m) / $(non2xx nginx-1m) / $(non2xx sluice-1m)); sluice/nginx $(ratio "$(mbps sluice-1m)" "$(mbps nginx-1m)")$( [ -n "$(errors sluice-1m)" ] && echo "  sluice errors: $(errors sluice-1m)")"
echo "cache hits, 1 000 hot URLs: sluice/nginx-proxy_cache $(ratio "$(rps sluice-cache)" "$(rps nginx-cache)"); upstream calls while measuring: nginx $(cat "$OUT/nginx-cache.calls")  sluice $(cat "$OUT/sluice-cache.calls")"
MANY_N=$(awk '/requests in/ {print $1}' "$OUT/sluice-many.txt")
PLAN_N=$(awk '/requests in/ {print $1}' "$OUT/sluice-plan.txt")
PLAN_WARM_N=$(awk '/requests in/ {print $1}' "$OUT/sluice-plan-warmup.txt")
echo "script calls per request (EVAL+EVALSHA+FCALL in Redis INFO commandstats / wrk's requests): 1 client $(cpu sluice 7) for $SLUICE_N ($(ratio4 "$(cpu sluice 7)" "$SLUICE_N")); 10k clients on the plan $(cpu sluice-plan 7) for $PLAN_N ($(ratio4 "$(cpu sluice-plan 7)" "$PLAN_N")); 10k clients on the 1 s window $(cpu sluice-many 7) for $MANY_N ($(ratio4 "$(cpu sluice-many 7)" "$MANY_N"))"
echo "plan row: limit $PLAN_LIMIT per $((PLAN_WINDOW_MS / 1000)) s; each of the 10 000 keys sent about $(ratio $((PLAN_WARM_N + PLAN_N)) 10000) requests in the $((WARMUP + DURATION)) s of warm-up and run ($(awk -v n=$((PLAN_WARM_N + PLAN_N)) -v l="$PLAN_LIMIT" 'BEGIN {printf "%.1f", 100 * n / 10000 / l}')% of its limit); windows in Redis: $PLAN_KEYS"
echo "limiter keys in Redis: $KEYS; fallback episodes while measuring: 1 client $(cpu sluice 8), plan $(cpu sluice-plan 8), 1 s window $(cpu sluice-many 8)"
for name in direct nginx sluice sluice-plan sluice-many sluice-open sluice-jwt sluice-keys direct-1m nginx-1m sluice-1m nginx-cache sluice-cache nginx-tls sluice-tls nginx-h2 sluice-h2; do
  # Every row must answer 2xx only: the limit is far above the load and the upstream is healthy.
  if [ "$(non2xx "$name")" -gt 0 ]; then
    echo "NON-2XX: '$name' got $(non2xx "$name") non-2xx answers (wrk's \"Non-2xx or 3xx responses\"); see $OUT/$name.txt and the gateway's log"
  fi
  if [ "$(cpu "$name" 9)" -gt 10 ]; then
    echo "DISTURBED: other processes used $(cpu "$name" 9)% of the CPU during '$name'; its numbers and every ratio with it are not comparable: run again on a quiet machine"
  fi
done
} | tee "$OUT/summary.txt"
