#!/usr/bin/env bash
# Validates the container and monitoring files without a Docker engine:
#   docker-compose.yml              docker-compose config -q
#   ops/prometheus/alerts.yml       promtool check rules
#   ops/prometheus/prometheus.yml   promtool check config (which checks its rule files too)
#   ops/grafana/sluice.json         is JSON, and uses the provisioned datasource's uid
# Installs Debian's docker-compose and prometheus packages when missing (needs root or sudo).
# Not part of .ci/run: CI needs only a JDK and Maven.
set -uo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  echo "check: installing ${missing[*]} from Debian's packages"
  as_root apt-get update -q >/dev/null || { echo "check: apt-get update failed" >&2; exit 1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "check: could not install ${missing[*]}" >&2; exit 1; }
fi

failed=0
step() {
  local name=$1; shift
  echo "== $name"
  if "$@"; then echo "ok: $name"; else echo "FAILED: $name" >&2; failed=1; fi
}

step "docker-compose config" docker-compose -f docker-compose.yml config -q
step "promtool check rules" promtool check rules ops/prometheus/alerts.yml
step "promtool check config" promtool check config ops/prometheus/prometheus.yml
step "grafana dashboard" python3 - <<'PY'
import json, sys
uid = "sluice-prometheus"
with open("ops/grafana/sluice.json") as f:
    dash = json.load(f)
bad = []
def walk(node, path):
    if isinstance(node, dict):
        ds = node.get("datasource")
        if isinstance(ds, dict) and ds.get("type") == "prometheus" and ds.get("uid") != uid:
            bad.append(path)
        for key, value in node.items():
            walk(value, path + "." + key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            walk(value, "%s[%d]" % (path, i))
walk(dash, "$")
with open("ops/grafana/provisioning/datasources/prometheus.yml") as f:
    if "uid: " + uid not in f.read():
        bad.append("provisioned datasource has no uid " + uid)
for b in bad:
    print("not the provisioned datasource: " + b, file=sys.stderr)
print("%d panels, datasource uid %s" % (len(dash["panels"]), uid))
sys.exit(1 if bad else 0)
PY

if [ $failed -ne 0 ]; then
  echo "check: FAILED" >&2
  exit 1
fi
echo "check: all ok"
