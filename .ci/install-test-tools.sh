#!/usr/bin/env bash
# Installs what the test suite runs for real (Debian 12), when it is missing:
#   promtool (package prometheus)   — checks /metrics, the alert rules and their unit tests
#   systemd-analyze (package systemd) — verifies the systemd unit in deploy/systemd/
#   pdns_server (pdns-server, pdns-backend-bind, pdns-backend-geoip) — a real DNS server for endpoints
#     named by DNS, and the GeoDNS front that sends phones to their edge
#   chromium — renders the load tester's HTML report, headless
#   podman, runc, mmdebstrap, gpg — build the container image from locally made Debian base images,
#     and run it (this sandbox refuses podman's default runtime, crun; runc works)
#   prometheus (the server, same package as promtool) — scrapes the edges of `homeport world`
#   redis-server (with redis-cli) — the pin directory's store; the tests start their own servers
#   kubectl (its kustomize) and node — render and validate deploy/kubernetes, with the npm
#     packages pinned in deploy/kubernetes/package-lock.json (installed beside it)
# Run as root, or with sudo available. The tests that need a tool fail under CI=true when it is
# missing, and are skipped (with the reason) on a developer's machine without it.
set -euo pipefail

cd "$(dirname "$0")/.."

need=()
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
[ -x /usr/sbin/pdns_server ] || need+=(pdns-server pdns-backend-bind)
ls /usr/lib/*/pdns/libgeoipbackend.so >/dev/null 2>&1 || need+=(pdns-backend-geoip)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v podman >/dev/null 2>&1 || need+=(podman)
[ -x /usr/bin/redis-server ] || need+=(redis-server)
[ -x /usr/sbin/runc ] || need+=(runc)
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap gpg)
command -v kubectl >/dev/null 2>&1 || need+=(kubectl)
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${need[*]} for the tests" >&2
  $sudo apt-get update -qq
  # --no-install-recommends: promtool is what the tests use; the Prometheus server is not started.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The Kubernetes validator's packages, exactly as locked.
if [ ! -d deploy/kubernetes/node_modules ]; then
  (cd deploy/kubernetes && npm ci --silent --no-audit --no-fund)
fi
