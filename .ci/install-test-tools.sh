#!/usr/bin/env bash
# Installs the Debian packages the test suite runs for real (Debian 12), when they are missing:
#   promtool (package prometheus)   — checks /metrics, the alert rules and their unit tests
#   systemd-analyze (package systemd) — verifies the systemd unit in deploy/systemd/
# Run as root, or with sudo available. The tests that need a tool fail under CI=true when it is
# missing, and are skipped (with the reason) on a developer's machine without it.
set -euo pipefail

need=()
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
[ ${#need[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing ${need[*]} for the tests" >&2
$sudo apt-get update -qq
# --no-install-recommends: promtool is what the tests use; the Prometheus server is not started.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
