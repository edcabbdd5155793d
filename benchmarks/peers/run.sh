#!/usr/bin/env bash
# Homeport beside nginx+geoip2 and HAProxy on identical work, on loopback. See README.md here.
#
#   benchmarks/peers/run.sh                         # 3 interleaved rounds x (1 and 2 workers) x the workload matrix
#   ROUNDS=1 DURATION=3s WARMUP_JVM=10s WORKERS=1 MIXES=v4 HEADS=200 ANSWERS=100 benchmarks/peers/run.sh   # a quick check
#
# The matrix: every peer is measured on every workload cell, MIXES x HEADS x ANSWERS (12 cells by
# default), so that no figure hinges on one workload's incidentals:
#   MIXES ["v4 v6"]: the clients: v4 = clients.tsv (IPv4 only), v6 = clients-v6.tsv (35% IPv6, as
#              India's mobile carriers serve most phones over IPv6)
#   HEADS ["200 800"]: request heads of about 200 bytes (a phone app's plainest GET) or 800 (with an
#              Authorization bearer token, cookies, device fields); see xff.lua
#   ANSWERS ["100 2k 16k"]: the backends' answers: bodies of 100 B, 2 KiB, 16 KiB (application/json,
#              with Cache-Control and a header that echoes the request's X-Forwarded-For)
#
# Every setting is an environment variable (defaults in brackets):
#   ROUNDS [3]  DURATION [10s]  WARMUP [2s]  CONNECTIONS [64]  WORKERS ["1 2"]
#   WARMUP_JVM [60s]: the warm-up of the JVM peers (homeport, relay), whose JIT compiler shares
#              the proxy's CPU and settles only after tens of seconds under load on one core; it
#              cycles through the matrix's workloads, so that each is compiled before it is measured
#   WARMUP_JVM_RUNS [5]: WARMUP_JVM is split into this many wrk runs, each with new connections, so
#              that accepting and closing connections is compiled before the measurement too (with
#              one long run, the measurement's new connections deoptimize the event loop's compiled
#              code and the JIT recompiles it during the measured seconds)
#   PEERS ["direct nginx haproxy homeport"]   (the order of each round; direct is the baseline;
#          relay, a Netty byte relay to the us backend that parses nothing, is the floor of any Netty proxy)
#   WRK_THREADS [1]  WRK_CPUS [0]  BACKEND_CPUS [1]
#   PROXY_CPUS_<n> [1 for n=1; CPUs 1..n when the machine has n+1 CPUs, else 1]
#   PORT_BASE [18080]: the proxies on PORT_BASE (nginx), +1 (HAProxy), +2 (relay), +3 (Homeport),
#              Homeport's admin on +10, backends on +21..+23 (127.0.0.1)
#   ACCESS_LOG [devnull]: devnull (every proxy formats and writes one line per request to /dev/null;
#              Homeport: access_log: {path: /dev/null}), off (no proxy logs; Homeport: access_log: {path: off})
#   HAPROXY_MAP [full]: full (every network of the database) or skip-default (only the networks whose
#              region is not the default: a smaller map with the same answers)
#   HOMEPORT_JAVA_OPTS []: extra JVM options for Homeport, for experiments only: a figure measured
#              with any is not one of Homeport as the README starts it (the report says so)
#   STEAL_MAX [2]  STEAL_REPEATS [5]: a measured run during which the hypervisor took more than
#              STEAL_MAX % of the machine's CPU time for other guests (steal, /proc/stat) is measured
#              again, at once and on the same warm peer, up to STEAL_REPEATS times; the last one counts
#              (a run with a wrong region, a non-200 or an error is never set aside). Every peer is
#              held to the same rule; repeats add to the time estimate; STEAL_REPEATS=0 turns it off
#   RESULTS [benchmarks/RESULTS.md]: where the table is appended; RESULTS= (empty) appends nowhere
#   NO_INSTALL [0]: 1 fails instead of running apt-get when a tool is missing
#   KEEP_TMP [0]: 1 keeps the generated configs and logs (they are kept anyway when a step fails)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_NAME=peers
# shellcheck source=../lib.sh
source "${SCRIPT_DIR}/../lib.sh"
bench_usage "$0" "$@"
REPO_ROOT="$(cd "${SCRIPT_DIR}/../.." && pwd)"
cd "${REPO_ROOT}"

ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
WARMUP_JVM="${WARMUP_JVM:-60s}"
WARMUP_JVM_RUNS="${WARMUP_JVM_RUNS:-5}"
CONNECTIONS="${CONNECTIONS:-64}"
WORKERS="${WORKERS:-1 2}"
PEERS="${PEERS:-direct nginx haproxy homeport}"
MIXES="${MIXES:-v4 v6}"
HEADS="${HEADS:-200 800}"
ANSWERS="${ANSWERS:-100 2k 16k}"
WRK_THREADS="${WRK_THREADS:-1}"
WRK_CPUS="${WRK_CPUS:-0}"
BACKEND_CPUS="${BACKEND_CPUS:-1}"
PORT_BASE="${PORT_BASE:-18080}"
ACCESS_LOG="${ACCESS_LOG:-devnull}"
HAPROXY_MAP="${HAPROXY_MAP:-full}"
HOMEPORT_JAVA_OPTS="${HOMEPORT_JAVA_OPTS:-}"
STEAL_MAX="${STEAL_MAX:-2}"
STEAL_REPEATS="${STEAL_REPEATS:-5}"
RESULTS="${RESULTS-benchmarks/RESULTS.md}"
NO_INSTALL="${NO_INSTALL:-0}"
KEEP_TMP="${KEEP_TMP:-0}"

TABLE="${SCRIPT_DIR}/regions.tsv"
CLIENTS="${SCRIPT_DIR}/clients.tsv"
CLIENTS_V6="${SCRIPT_DIR}/clients-v6.tsv"
clients_of() { [[ "$1" == v6 ]] && echo "${CLIENTS_V6}" || echo "${CLIENTS}"; }
LUA="${SCRIPT_DIR}/xff.lua"
DB="${REPO_ROOT}/.cache/geoip/geo-whois-asn-country.mmdb"
HOMEPORT_JAR="${REPO_ROOT}/gateway/target/homeport.jar"
BENCH_JAR="${REPO_ROOT}/benchmarks/target/benchmarks.jar"
GEOIP2_MODULE="/usr/lib/nginx/modules/ngx_http_geoip2_module.so"
NPROC="$(nproc)"

PROXY_PORT="${PORT_BASE}"
# Every peer has its own port, so that all of a round's peers run at once and take turns cell by cell.
peer_port() {
  case "$1" in
    nginx) echo "${PROXY_PORT}" ;;
    haproxy) echo $((PROXY_PORT + 1)) ;;
    relay) echo $((PROXY_PORT + 2)) ;;
    homeport) echo $((PROXY_PORT + 3)) ;;
    direct) region_port "${DEFAULT_REGION}" ;;
  esac
}
declare -A PEER_PIDS=()
ADMIN_PORT=$((PORT_BASE + 10))


# ---------------------------------------------------------------------------------------------
# Settings: checked and bounded before anything starts.
seconds_of() { # 10s, 2m, 10 -> seconds
  local v="$1"
  case "${v}" in
    *[!0-9smh]* | '' ) return 1 ;;
    *m) echo $(( ${v%m} * 60 )) ;;
    *h) echo $(( ${v%h} * 3600 )) ;;
    *s) echo $(( ${v%s} )) ;;
    *) echo $(( v )) ;;
  esac
}
is_int() { [[ "$1" =~ ^[0-9]+$ ]]; }

DURATION_S="$(seconds_of "${DURATION}")" || die "DURATION=${DURATION}: expected e.g. 10s"
WARMUP_S="$(seconds_of "${WARMUP}")" || die "WARMUP=${WARMUP}: expected e.g. 2s"
is_int "${ROUNDS}" && (( ROUNDS >= 1 && ROUNDS <= 20 )) || die "ROUNDS=${ROUNDS}: expected 1..20"
(( DURATION_S >= 1 && DURATION_S <= 300 )) || die "DURATION=${DURATION}: expected 1s..300s"
(( WARMUP_S >= 0 && WARMUP_S <= 120 )) || die "WARMUP=${WARMUP}: expected 0s..120s"
WARMUP_JVM_S="$(seconds_of "${WARMUP_JVM}")" || die "WARMUP_JVM=${WARMUP_JVM}: expected e.g. 30s"
(( WARMUP_JVM_S >= 0 && WARMUP_JVM_S <= 300 )) || die "WARMUP_JVM=${WARMUP_JVM}: expected 0s..300s"
[[ "${WARMUP_JVM_RUNS}" =~ ^[1-9][0-9]?$ ]] || die "WARMUP_JVM_RUNS=${WARMUP_JVM_RUNS}: expected 1..99"
is_int "${CONNECTIONS}" && (( CONNECTIONS >= 1 && CONNECTIONS <= 10000 )) || die "CONNECTIONS=${CONNECTIONS}: expected 1..10000"
is_int "${WRK_THREADS}" && (( WRK_THREADS >= 1 && WRK_THREADS <= 64 && WRK_THREADS <= CONNECTIONS )) \
  || die "WRK_THREADS=${WRK_THREADS}: expected 1..64 and at most CONNECTIONS"
is_int "${PORT_BASE}" && (( PORT_BASE >= 1024 && PORT_BASE <= 65000 )) || die "PORT_BASE=${PORT_BASE}: expected 1024..65000"
is_int "${STEAL_REPEATS}" && (( STEAL_REPEATS <= 10 )) || die "STEAL_REPEATS=${STEAL_REPEATS}: expected 0..10"
[[ "${STEAL_MAX}" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "STEAL_MAX=${STEAL_MAX}: expected a percentage (e.g. 2 or 0.5)"
for w in ${WORKERS}; do
  is_int "${w}" && (( w >= 1 && w <= 64 )) || die "WORKERS=${WORKERS}: expected worker counts 1..64"
done
for p in ${PEERS}; do
  case "${p}" in direct | nginx | haproxy | homeport | relay) ;; *) die "PEERS: unknown peer ${p} (direct nginx haproxy homeport relay)" ;; esac
done
case "${ACCESS_LOG}" in devnull | off) ;; *) die "ACCESS_LOG=${ACCESS_LOG}: expected devnull or off" ;; esac
for m in ${MIXES}; do case "${m}" in v4 | v6) ;; *) die "MIXES: unknown mix ${m} (v4 v6)" ;; esac; done
for h in ${HEADS}; do case "${h}" in 200 | 800) ;; *) die "HEADS: unknown head size ${h} (200 800)" ;; esac; done
for a in ${ANSWERS}; do case "${a}" in 100 | 2k | 16k) ;; *) die "ANSWERS: unknown answer size ${a} (100 2k 16k)" ;; esac; done
[[ -n "${MIXES}" && -n "${HEADS}" && -n "${ANSWERS}" ]] || die "MIXES, HEADS and ANSWERS need at least one value each"
CELLS=()
for m in ${MIXES}; do for h in ${HEADS}; do for a in ${ANSWERS}; do CELLS+=("${m}/${h}/${a}"); done; done; done
case "${HAPROXY_MAP}" in full | skip-default) ;; *) die "HAPROXY_MAP=${HAPROXY_MAP}: expected full or skip-default" ;; esac

proxy_cpus() { # the CPUs of the proxy under test for $1 workers
  local w="$1" var="PROXY_CPUS_$1"
  if [[ -n "${!var:-}" ]]; then
    echo "${!var}"
  elif (( w == 1 )); then
    echo 1
  elif (( w + 1 <= NPROC )); then
    echo "1-${w}"
  else
    echo 1 # too few CPUs to give each worker its own: the proxy stays beside the backends, off wrk's CPU
  fi
}

# ---------------------------------------------------------------------------------------------
# Everything started here is stopped on exit, Ctrl-C included, by PID.
bench_tmp

# ---------------------------------------------------------------------------------------------
# 1. Tools, build, database.
install_tools() { # installs only what is missing (apt-get update once, then one apt-get install)
  local packages=()
  command -v nginx >/dev/null 2>&1 || packages+=(NGINX)
  [[ -f "${GEOIP2_MODULE}" ]] || packages+=(libnginx-mod-http-geoip2)
  command -v haproxy >/dev/null 2>&1 || packages+=(haproxy)
  command -v wrk >/dev/null 2>&1 || packages+=(wrk)
  command -v taskset >/dev/null 2>&1 || packages+=(util-linux)
  command -v curl >/dev/null 2>&1 || packages+=(curl)
  (( ${#packages[@]} == 0 )) && return 0
  if [[ "${NO_INSTALL}" == 1 ]]; then
    die "missing packages: ${packages[*]/NGINX/nginx-light} (NO_INSTALL=1)"
  fi
  (( EUID == 0 )) || die "missing packages: ${packages[*]/NGINX/nginx-light}; run as root, or: sudo apt-get install -y ${packages[*]/NGINX/nginx-light}"
  log "apt-get update"
  apt-get update -q >"${TMP}/apt-update.log" 2>&1 || { tail -n 20 "${TMP}/apt-update.log" >&2; die "apt-get update failed"; }
  local nginx_pkg=nginx-light # Debian 12: the small build (a transitional package to nginx there); else nginx
  apt-cache show nginx-light >/dev/null 2>&1 || nginx_pkg=nginx
  packages=("${packages[@]/NGINX/${nginx_pkg}}")
  log "apt-get install -y ${packages[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${packages[@]}" >"${TMP}/apt-install.log" 2>&1 \
    || { tail -n 20 "${TMP}/apt-install.log" >&2; die "apt-get install failed"; }
  [[ -f "${GEOIP2_MODULE}" ]] || die "no ${GEOIP2_MODULE} after the install (dpkg -L libnginx-mod-http-geoip2 says where it is)"
}

jar_has() { [[ -f "$1" ]] && jar tf "$1" 2>/dev/null | grep -c "^$2\$" >/dev/null; }

build() {
  if [[ ! -f "${HOMEPORT_JAR}" ]] || ! jar_has "${BENCH_JAR}" io/homeport/bench/peers/NettyRelay.class; then
    log "building Homeport and the benchmarks (./mvnw -B -q -DskipTests install)"
    ./mvnw -B -q -DskipTests install || die "the build failed"
  fi
  [[ -f "${HOMEPORT_JAR}" ]] || die "${HOMEPORT_JAR} was not built"
  jar_has "${BENCH_JAR}" io/homeport/bench/peers/ExportNetworkMap.class || die "${BENCH_JAR} has no peers tools"
  if [[ ! -s "${DB}" ]]; then
    log "fetching the world database"
    bash deploy/geoip/fetch-world-db.sh || die "could not fetch the world database"
  fi
}

# ---------------------------------------------------------------------------------------------
# 2. The table, in the forms each peer reads.
table_rows() { awk '!/^[[:space:]]*(#|$)/ && $1 != "*" { print $1, $2 }' "${TABLE}"; }
default_region() { awk '!/^[[:space:]]*#/ && $1 == "*" { print $2 }' "${TABLE}"; }
REGIONS=()
region_port() { # the backend port of a region
  local i
  for i in "${!REGIONS[@]}"; do
    [[ "${REGIONS[$i]}" == "$1" ]] && { echo $((PORT_BASE + 21 + i)); return 0; }
  done
  return 1
}

prepare() {
  DEFAULT_REGION="$(default_region)"
  [[ -n "${DEFAULT_REGION}" ]] || die "${TABLE}: no default line (*<TAB>region)"
  mapfile -t REGIONS < <( { table_rows | awk '{ print $2 }'; echo "${DEFAULT_REGION}"; } | awk '!seen[$0]++')
  (( ${#REGIONS[@]} <= 9 )) || die "${TABLE}: at most 9 regions"
  log "regions: ${REGIONS[*]} (default ${DEFAULT_REGION}); backends on 127.0.0.1:$((PORT_BASE + 21))..$((PORT_BASE + 20 + ${#REGIONS[@]}))"

  local mix file
  for mix in ${MIXES}; do
    file="$(clients_of "${mix}")"
    java -cp "${BENCH_JAR}" io.homeport.bench.peers.GenerateClients --db "${DB}" --table "${TABLE}" --verify "${file}" \
      2>"${TMP}/clients-verify.log" || { cat "${TMP}/clients-verify.log" >&2; die "${file} disagrees with the database; regenerate it:
  java -cp ${BENCH_JAR} io.homeport.bench.peers.GenerateClients --db ${DB} --table ${TABLE} --out ${file}$([[ "${mix}" == v6 ]] && echo ' --ipv6-share 0.35')"; }
  done
  CLIENT_COUNT="$(grep -vc '^#' "${CLIENTS}")"
  CLIENT_COUNT_V6="$(grep -vc '^#' "${CLIENTS_V6}")"
  IPV6_SHARE="$(awk -F'\t' '!/^#/ { n++; if ($1 ~ /:/) v6++ } END { printf "%.0f", 100 * v6 / n }' "${CLIENTS_V6}")"

  local map_args=()
  [[ "${HAPROXY_MAP}" == skip-default ]] && map_args+=(--skip-default)
  java -cp "${BENCH_JAR}" io.homeport.bench.peers.ExportNetworkMap --db "${DB}" --table "${TABLE}" \
    --out "${TMP}/regions.map" "${map_args[@]}" 2>"${TMP}/map.log" || { cat "${TMP}/map.log" >&2; die "ExportNetworkMap failed"; }
  MAP_LINES="$(grep -vc '^#' "${TMP}/regions.map")"
  log "HAProxy map: $(cat "${TMP}/map.log")"

  # One client per region, for the check each proxy must pass before it is measured.
  SAMPLES="$(awk -F'\t' '!/^#/ && !seen[$3 ($1 ~ /:/)]++ { print $1, $3 }' "${CLIENTS}" "${CLIENTS_V6}")"
}

# ---------------------------------------------------------------------------------------------
# 3. Processes.
nginx_common() { # the lines every nginx config here starts with: $1 = directory
  cat <<EOF
daemon off;
master_process on;
pid $1/nginx.pid;
error_log $1/error.log warn;
EOF
}
nginx_temp_paths() {
  cat <<EOF
  client_body_temp_path $1/body;
  proxy_temp_path $1/proxy;
  fastcgi_temp_path $1/fastcgi;
  uwsgi_temp_path $1/uwsgi;
  scgi_temp_path $1/scgi;
EOF
}

start_backends() {
  local dir="${TMP}/backends" region port size
  mkdir -p "${dir}/www"
  # The answers: JSON bodies of the matrix's sizes, the same for every region.
  for size in 100:100 2k:2048 16k:16384; do
    awk -v n="${size#*:}" 'BEGIN { s = "{\"items\":\""; while (length(s) < n - 3) s = s "x"; printf "%s\"}\n", s }' \
      >"${dir}/www/a${size%%:*}"
  done
  {
    nginx_common "${dir}"
    cat <<EOF
worker_processes 1;
events { worker_connections 8192; }
http {
  access_log off;
  default_type text/plain;
  keepalive_requests 1000000000;
  keepalive_timeout 120s;
$(nginx_temp_paths "${dir}")
EOF
    for region in "${REGIONS[@]}"; do
      port="$(region_port "${region}")"
      cat <<EOF
  server {
    listen 127.0.0.1:${port} backlog=4096;
    root ${dir}/www;
    etag off;
    add_header X-Backend-Region ${region} always;
    add_header X-Echo-XFF \$http_x_forwarded_for always;
    add_header Cache-Control "private, max-age=0" always;
    location = / {
      return 200 "${region}\n";
    }
    location / {
      default_type application/json;
    }
  }
EOF
    done
    echo "}"
  } >"${dir}/nginx.conf"
  taskset -c "${BACKEND_CPUS}" true || die "BACKEND_CPUS=${BACKEND_CPUS}: not CPUs of this machine"
  start_bg backends "${dir}/stdout.log" taskset -c "${BACKEND_CPUS}" nginx -e "${dir}/error.log" -p "${dir}" -c "${dir}/nginx.conf"
  BACKENDS_PID="${LAST_PID}"
  for region in "${REGIONS[@]}"; do
    wait_port "$(region_port "${region}")" "${BACKENDS_PID}" backends "${dir}/error.log"
  done
  log "backends (nginx, 1 worker, CPUs ${BACKEND_CPUS}) pid ${BACKENDS_PID}"
}

write_nginx() { # write_nginx DIR WORKERS
  local dir="$1" w="$2" region country access
  mkdir -p "${dir}"
  if [[ "${ACCESS_LOG}" == off ]]; then
    access="access_log off;"
  else
    access="access_log /dev/null peers buffer=64k flush=1s;"
  fi
  {
    echo "load_module ${GEOIP2_MODULE};"
    nginx_common "${dir}"
    cat <<EOF
worker_processes ${w};
events { worker_connections 8192; }
http {
  default_type application/octet-stream;
  log_format peers escape=json '{"ts":"\$time_iso8601","request_id":"\$request_id","client":"\$remote_addr","method":"\$request_method","host":"\$host","path":"\$uri","status":\$status,"region":"\$region","country":"\$geoip2_country","duration_ms":\$request_time,"upstream":"\$upstream_addr"}';
  ${access}
  keepalive_requests 1000000000;
  keepalive_timeout 120s;
$(nginx_temp_paths "${dir}")

  # The client: the right-most untrusted address of X-Forwarded-For (as Homeport takes it).
  set_real_ip_from 127.0.0.0/8;
  set_real_ip_from ::1;
  real_ip_header X-Forwarded-For;
  real_ip_recursive on;

  geoip2 ${DB} {
    \$geoip2_country default=-- country_code;
  }
  map \$geoip2_country \$region {
    default ${DEFAULT_REGION};
EOF
    table_rows | while read -r country region; do
      echo "    ${country} ${region};"
    done
    echo "  }"
    for region in "${REGIONS[@]}"; do
      cat <<EOF
  upstream ${region} {
    server 127.0.0.1:$(region_port "${region}");
    keepalive 256;
    keepalive_requests 1000000000;
    keepalive_timeout 60s;
  }
EOF
    done
    cat <<EOF
  server {
    listen 127.0.0.1:$(peer_port nginx) backlog=4096 reuseport;
    location / {
      proxy_pass http://\$region;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host \$host;
      proxy_set_header X-Request-Id \$request_id;
      proxy_set_header X-Region \$region;
      proxy_set_header X-Country \$geoip2_country;
      add_header X-Region \$region;
    }
  }
}
EOF
  } >"${dir}/nginx.conf"
}

write_haproxy() { # write_haproxy DIR WORKERS
  local dir="$1" w="$2" region logging="" httplog=""
  mkdir -p "${dir}"
  if [[ "${ACCESS_LOG}" != off ]]; then
    logging="log stdout format raw local0 info"
    httplog=$'  log global\n  option httplog'
  fi
  {
    cat <<EOF
global
  nbthread ${w}
  maxconn 8192
  ${logging}

defaults
  mode http
${httplog}
  timeout connect 2s
  timeout client 60s
  timeout server 30s
  timeout http-keep-alive 120s
  http-reuse always

frontend peers
  bind 127.0.0.1:$(peer_port haproxy)
  option forwardfor
  unique-id-format %{+X}o\ %ci:%cp_%fi:%fp_%Ts_%rt:%pid
  unique-id-header X-Request-Id
  http-request set-header X-Forwarded-Proto http
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  # The client: the last address of X-Forwarded-For, through the CIDR -> region map.
  http-request set-var(txn.region) req.hdr_ip(X-Forwarded-For,-1),map_ip(${TMP}/regions.map,${DEFAULT_REGION})
  http-request set-header X-Region %[var(txn.region)]
  http-response set-header X-Region %[var(txn.region)]
  use_backend %[var(txn.region)]
  default_backend ${DEFAULT_REGION}
EOF
    for region in "${REGIONS[@]}"; do
      cat <<EOF

backend ${region}
  server ${region} 127.0.0.1:$(region_port "${region}")
EOF
    done
  } >"${dir}/haproxy.cfg"
}

write_homeport() { # write_homeport DIR WORKERS
  local dir="$1" w="$2" region country access
  mkdir -p "${dir}"
  {
    echo "# Generated by benchmarks/peers/run.sh from ${TABLE##*/}: the table only, no migrations, pins or health checks."
    echo "version: 1"
    echo "regions:"
    for region in "${REGIONS[@]}"; do
      echo "  ${region}: {endpoints: [\"http://127.0.0.1:$(region_port "${region}")\"], fail_over_to: []}"
    done
    echo "residency:"
    echo "  default_region: ${DEFAULT_REGION}"
    echo "  countries:"
    table_rows | while read -r country region; do
      echo "    ${country}: ${region}"
    done
  } >"${dir}/rules.yaml"
  # `homeport run` refuses to start without the key of the access log's user-id hash.
  head -c 32 /dev/urandom >"${dir}/user-hash.key"
  access="/dev/null"
  [[ "${ACCESS_LOG}" != off ]] || access="off"
  cat >"${dir}/gateway.yaml" <<EOF
listen: 127.0.0.1:$(peer_port homeport)
admin: {listen: 127.0.0.1:${ADMIN_PORT}}
workers: ${w}
access_log: {path: ${access}}
rules: rules.yaml
geoip:
  database: ${DB}
  cache: {max_entries: 100000}
client_ip:
  trusted_proxies: [127.0.0.0/8, "::1/128"]
audit: {user_hash_key_file: user-hash.key}
EOF
}

# start_peer PEER WORKERS: starts the proxy under test (nothing for direct); sets PEER_PID, TARGET_PORT
# (use_peer PEER sets them again later)
start_peer() {
  local peer="$1" w="$2" cpus dir
  cpus="$(proxy_cpus "${w}")"
  dir="${TMP}/${peer}-w${w}"
  PEER_PID=""
  PEER_PIDS[${peer}]=""
  TARGET_PORT="$(peer_port "${peer}")"
  case "${peer}" in
    direct)
      return 0
      ;;
    nginx)
      [[ -f "${dir}/nginx.conf" ]] || write_nginx "${dir}" "${w}"
      start_bg nginx "${dir}/stdout.log" taskset -c "${cpus}" nginx -e "${dir}/error.log" -p "${dir}" -c "${dir}/nginx.conf"
      ;;
    haproxy)
      [[ -f "${dir}/haproxy.cfg" ]] || write_haproxy "${dir}" "${w}"
      local out="${dir}/stdout.log"
      [[ "${ACCESS_LOG}" == off ]] || out=/dev/null
      # stdout carries the access log; stderr its warnings.
      taskset -c "${cpus}" haproxy -f "${dir}/haproxy.cfg" -db >"${out}" 2>"${dir}/stderr.log" &
      PIDS[$!]=haproxy
      LAST_PID=$!
      ;;
    relay)
      # shellcheck disable=SC2086
      taskset -c "${cpus}" java ${HOMEPORT_JAVA_OPTS} -cp "${BENCH_JAR}" io.homeport.bench.peers.NettyRelay \
        "$(peer_port relay)" "$(region_port "${DEFAULT_REGION}")" "${w}" >/dev/null 2>"${TMP}/relay-w${w}.log" &
      PIDS[$!]=relay
      LAST_PID=$!
      ;;
    homeport)
      [[ -f "${dir}/gateway.yaml" ]] || write_homeport "${dir}" "${w}"
      # Started as the README says (java -jar homeport.jar run --config gateway.yaml): the worker
      # count and the access log are gateway.yaml keys; taskset only pins it, as every peer.
      # shellcheck disable=SC2086
      taskset -c "${cpus}" java ${HOMEPORT_JAVA_OPTS} -jar "${HOMEPORT_JAR}" \
        run --config "${dir}/gateway.yaml" >/dev/null 2>"${dir}/stderr.log" &
      PIDS[$!]=homeport
      LAST_PID=$!
      ;;
  esac
  PEER_PID="${LAST_PID}"
  PEER_PIDS[${peer}]="${PEER_PID}"
  local logfile="${dir}/error.log"
  [[ "${peer}" == nginx ]] || logfile="${dir}/stderr.log"
  [[ "${peer}" != relay ]] || logfile="${TMP}/relay-w${w}.log"
  wait_port "${TARGET_PORT}" "${PEER_PID}" "${peer}" "${logfile}"
  if [[ "${peer}" == homeport ]]; then
    local i code=""
    for i in $(seq 1 300); do
      code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${ADMIN_PORT}/readyz" || true)"
      [[ "${code}" == 200 ]] && break
      sleep 0.1
    done
    [[ "${code}" == 200 ]] || die "homeport not ready (/readyz ${code}; log ${logfile})"
  fi
  check_peer "${peer}"
}

use_peer() { PEER_PID="${PEER_PIDS[$1]}"; TARGET_PORT="$(peer_port "$1")"; }

check_peer() { # every region answers for its sample client before the peer is measured
  local peer="$1" ip want got
  while read -r ip want; do
    got="$(curl -s -m 5 -o /dev/null -D - -H "X-Forwarded-For: ${ip}" "http://127.0.0.1:${TARGET_PORT}/" \
      | tr -d '\r' | awk -F': ' 'tolower($1) == "x-backend-region" { print $2 }')"
    if [[ "${peer}" == direct || "${peer}" == relay ]]; then
      [[ -n "${got}" ]] || die "${peer}: no answer from the backend on ${TARGET_PORT}"
    elif [[ "${got}" != "${want}" ]]; then
      die "${peer}: client ${ip} was served by '${got}', expected ${want}"
    fi
  done <<<"${SAMPLES}"
}

check_io_threads() { # Netty starts event loop threads lazily: after a run every one of them has served
  local io
  io="$(cat /proc/"${PEER_PID}"/task/*/comm 2>/dev/null | grep -c '^homeport-io' || true)"
  [[ "${io}" == "$1" ]] || die "homeport ran ${io} I/O threads, expected $1"
}

# run_wrk SECONDS LABEL OUTFILE CELL: the PEERS_RESULT line lands in OUTFILE; CELL (mix/head/answer) is the workload. wrk runs in the background
# and is waited for, so that Ctrl-C reaches this script's trap at once (wrk itself would catch it,
# print its figures and exit 0, and bash would carry on).
run_wrk() {
  local secs="$1" label="$2" out="$3" cell="$4" pid rc=0 mix head answer
  IFS=/ read -r mix head answer <<<"${cell}"
  timeout -k 5 $((secs + 30)) taskset -c "${WRK_CPUS}" wrk -t"${WRK_THREADS}" -c"${CONNECTIONS}" -d"${secs}s" --timeout 5s \
    -s "${LUA}" "http://127.0.0.1:${TARGET_PORT}/" -- "$(clients_of "${mix}")" "${label}" "${head}" "/a${answer}" >"${out}" 2>&1 &
  pid=$!
  PIDS[${pid}]=wrk
  wait "${pid}" || rc=$?
  unset "PIDS[${pid}]"
  (( rc == 0 )) || { cat "${out}" >&2; die "wrk failed with ${rc} (${label})"; }
  grep -q '^PEERS_RESULT ' "${out}" || { cat "${out}" >&2; die "wrk printed no result (${label})"; }
}

# The whole machine's idle and steal time over a run, from /proc/stat: idle CPU says the run was not
# CPU-bound; steal is time the hypervisor gave to other guests, the usual cause of a round that
# stands out on a shared machine.
cpu_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 + $6, $9; exit }' /proc/stat; }
cpu_shares() { # cpu_shares "TOTAL IDLE STEAL" "TOTAL IDLE STEAL" -> idle%/steal%
  awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); t = y[1] - x[1]; if (t <= 0) t = 1
    printf "%.0f/%.1f", 100 * (y[2] - x[2]) / t, 100 * (y[3] - x[3]) / t }'
}


# ---------------------------------------------------------------------------------------------
# 4. The table.

# results.tsv columns: 1 workers, 2 peer, 3 round, 4 cell, 5 req/s, 6 p50, 7 p99, 8 mismatches, 9 non-200,
# 10 unchecked, 11 errors c/r/w/t/s, 12 requests, 13 CPU idle/steal, 14 steal repeats
stat_of() { # stat_of WORKERS PEER CELL COLUMN: the median over the rounds ("nan" when not measured)
  awk -F'\t' -v w="$1" -v p="$2" -v c="$3" -v k="$4" '$1 == w && $2 == p && $4 == c { print $k }' "${TMP}/results.tsv" | median
}
sum_of() { # sum_of WORKERS PEER CELL COLUMN
  awk -F'\t' -v w="$1" -v p="$2" -v c="$3" -v k="$4" '$1 == w && $2 == p && $4 == c { s += $k } END { print s + 0 }' "${TMP}/results.tsv"
}
errors_of() { # errors_of WORKERS PEER CELL: socket errors over the rounds
  awk -F'\t' -v w="$1" -v p="$2" -v c="$3" '$1 == w && $2 == p && $4 == c { split($11, e, "/"); s += e[1] + e[2] + e[3] + e[4] } END { print s + 0 }' "${TMP}/results.tsv"
}
has_peer() { tr ' ' '\n' <<<"${PEERS}" | grep -qx "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || b == 0) print "-"; else printf "%.2f", a / b }'; }
num() { awk -v a="$1" -v f="$2" 'BEGIN { if (a == "nan") print "-"; else printf f, a }'; }

# One row per workers x cell: every peer's req/s (median of the rounds), Homeport against nginx in
# throughput and p99, and whether Homeport answered every request from the right region.
summary_table() {
  local w cell mix head answer peer rps p99_n p99_h rps_n rps_h verdict bad=0 cells=0 row
  printf '| workers | clients | head | answer |'
  for peer in ${PEERS}; do printf ' %s req/s |' "${peer}"; done
  printf ' homeport ÷ nginx | p99 ms nginx | p99 ms homeport | homeport wrong region / non-200 / errors | target |\n'
  printf '|---:|---|---:|---:|'
  for peer in ${PEERS}; do printf -- '---:|'; done
  printf -- '---:|---:|---:|---:|---|\n'
  for w in ${WORKERS}; do
    for cell in "${CELLS[@]}"; do
      IFS=/ read -r mix head answer <<<"${cell}"
      row="| ${w} | $([[ "${mix}" == v6 ]] && echo "${IPV6_SHARE}% IPv6" || echo "IPv4") | ${head} B | ${answer} |"
      for peer in ${PEERS}; do
        row+=" $(num "$(stat_of "${w}" "${peer}" "${cell}" 5)" '%.0f') |"
      done
      rps_n="$(stat_of "${w}" nginx "${cell}" 5)"
      rps_h="$(stat_of "${w}" homeport "${cell}" 5)"
      p99_n="$(stat_of "${w}" nginx "${cell}" 7)"
      p99_h="$(stat_of "${w}" homeport "${cell}" 7)"
      verdict="-"
      if has_peer nginx && has_peer homeport; then
        cells=$((cells + 1))
        if awk -v h="${rps_h}" -v n="${rps_n}" -v ph="${p99_h}" -v pn="${p99_n}" \
            'BEGIN { exit !(h != "nan" && n != "nan" && h >= 1.1 * n && ph <= pn) }' \
            && [[ "$(sum_of "${w}" homeport "${cell}" 8)" == 0 && "$(sum_of "${w}" homeport "${cell}" 9)" == 0 \
            && "$(errors_of "${w}" homeport "${cell}")" == 0 ]]; then
          verdict="met"
        else
          verdict="**not met**"
          bad=$((bad + 1))
        fi
      fi
      row+=" $(ratio "${rps_h}" "${rps_n}") | $(num "${p99_n}" '%.3f') | $(num "${p99_h}" '%.3f') |"
      row+=" $(sum_of "${w}" homeport "${cell}" 8) / $(sum_of "${w}" homeport "${cell}" 9) / $(errors_of "${w}" homeport "${cell}") | ${verdict} |"
      echo "${row}"
    done
  done
  echo
  if (( cells > 0 )); then
    echo "Target (issue 13): throughput ≥ 1.1× nginx+geoip2 at equal workers and p99 ≤ nginx's in every cell, every answer"
    echo "from the right region: met in $((cells - bad)) of ${cells} cells."
  fi
}

versions() {
  echo "- nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //') with libnginx-mod-http-geoip2 $(dpkg-query -W -f '${Version}' libnginx-mod-http-geoip2 2>/dev/null || echo '?')"
  echo "- HAProxy: $(haproxy -v 2>&1 | head -n 1)"
  echo "- wrk: $(wrk -v 2>&1 | head -n 1)"
  echo "- java: $(java -version 2>&1 | head -n 2 | tail -n 1)"
  echo "- Homeport: $(git -C "${REPO_ROOT}" describe --always --dirty 2>/dev/null || echo unknown) ($(git -C "${REPO_ROOT}" log -1 --format=%cd --date=short 2>/dev/null || true))"
  echo "- database: ${DB##*/} ($(awk '/^# /{ print; exit }' "${TMP}/regions.map" | sed 's/^# [^(]*(\([^)]*\)).*/\1/'))"
}

machine() {
  echo "- CPUs: ${NPROC} ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)); load average at start: ${LOADAVG}"
  echo "- memory: $(free -h | awk '/^Mem:/ { print $2 " total, " $7 " available" }')"
  echo "- kernel: $(uname -r)"
}

command_line() {
  printf 'ROUNDS=%s DURATION=%s WARMUP=%s WARMUP_JVM=%s WARMUP_JVM_RUNS=%s CONNECTIONS=%s WORKERS="%s" PEERS="%s" WRK_THREADS=%s WRK_CPUS=%s BACKEND_CPUS=%s' \
    "${ROUNDS}" "${DURATION}" "${WARMUP}" "${WARMUP_JVM}" "${WARMUP_JVM_RUNS}" "${CONNECTIONS}" "${WORKERS}" "${PEERS}" "${WRK_THREADS}" "${WRK_CPUS}" "${BACKEND_CPUS}"
  local w
  for w in ${WORKERS}; do printf ' PROXY_CPUS_%s=%s' "${w}" "$(proxy_cpus "${w}")"; done
  printf ' MIXES="%s" HEADS="%s" ANSWERS="%s"' "${MIXES}" "${HEADS}" "${ANSWERS}"
  printf ' PORT_BASE=%s ACCESS_LOG=%s HAPROXY_MAP=%s STEAL_MAX=%s STEAL_REPEATS=%s' "${PORT_BASE}" "${ACCESS_LOG}" "${HAPROXY_MAP}" "${STEAL_MAX}" "${STEAL_REPEATS}"
  [[ -z "${HOMEPORT_JAVA_OPTS}" ]] || printf ' HOMEPORT_JAVA_OPTS="%s"' "${HOMEPORT_JAVA_OPTS}"
  printf ' benchmarks/peers/run.sh\n'
}

# ---------------------------------------------------------------------------------------------
main() {
  LOADAVG="$(cut -d' ' -f1-3 /proc/loadavg)"
  local w peer round runs jvm_runs total line started warmup warmup_runs part cpu_before cpu_share repeats
  install_tools
  build
  prepare
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  for port in "${PROXY_PORT}" $((PROXY_PORT + 1)) $((PROXY_PORT + 2)) $((PROXY_PORT + 3)) "${ADMIN_PORT}" $(for r in "${REGIONS[@]}"; do region_port "${r}"; done); do
    port_open "${port}" && die "127.0.0.1:${port} is already in use (set PORT_BASE)"
  done
  taskset -c "${WRK_CPUS}" true || die "WRK_CPUS=${WRK_CPUS}: not CPUs of this machine"
  for w in ${WORKERS}; do
    taskset -c "$(proxy_cpus "${w}")" true || die "PROXY_CPUS_${w}=$(proxy_cpus "${w}"): not CPUs of this machine"
  done

  runs=$(( ROUNDS * $(wc -w <<<"${WORKERS}") * $(wc -w <<<"${PEERS}") * ${#CELLS[@]} ))
  total=$(( runs * (DURATION_S + 1) + ROUNDS * $(wc -w <<<"${WORKERS}") * $(wc -w <<<"${PEERS}") * (WARMUP_S + 4) ))
  jvm_runs=$(( ROUNDS * $(wc -w <<<"${WORKERS}") * $(tr ' ' '\n' <<<"${PEERS}" | grep -cx 'homeport\|relay' || true) ))
  total=$(( total + jvm_runs * (WARMUP_JVM_S - WARMUP_S + WARMUP_JVM_RUNS) ))
  log "${runs} runs of ${DURATION} (${#CELLS[@]} workload cells; each peer warmed up once a round: ${WARMUP}, JVM peers ${WARMUP_JVM} in ${WARMUP_JVM_RUNS} runs), ${CONNECTIONS} connections, ${WRK_THREADS} wrk thread(s) on CPUs ${WRK_CPUS}: about $(( total / 60 )) min $(( total % 60 )) s"
  start_backends
  : >"${TMP}/results.tsv"
  started="$(date -u '+%Y-%m-%d %H:%M UTC')"
  local cell out
  for w in ${WORKERS}; do
    log "--- ${w} worker(s): proxy on CPUs $(proxy_cpus "${w}"), backends on ${BACKEND_CPUS}, wrk on ${WRK_CPUS}"
    for round in $(seq 1 "${ROUNDS}"); do
      # Every peer of the round is started and warmed up first; then each cell is measured on each
      # peer in turn (the order rotating from cell to cell), so that a neighbour's burst of load on
      # this shared machine lands on all peers' runs of a cell alike rather than on one peer's block.
      for peer in ${PEERS}; do
        start_peer "${peer}" "${w}"
        warmup="${WARMUP_S}"
        warmup_runs=1
        if [[ "${peer}" == homeport || "${peer}" == relay ]]; then
          warmup="${WARMUP_JVM_S}"
          warmup_runs="${WARMUP_JVM_RUNS}"
          (( warmup_runs <= warmup )) || warmup_runs="${warmup}"
        fi
        # The warm-up cycles through the cells: every workload's code is compiled before any is measured.
        (( warmup_runs >= ${#CELLS[@]} || warmup < ${#CELLS[@]} )) || warmup_runs="${#CELLS[@]}"
        for part in $(seq 1 "${warmup_runs}"); do
          (( warmup == 0 )) || run_wrk $(( warmup / warmup_runs + (part <= warmup % warmup_runs ? 1 : 0) )) \
            "${peer}-w${w}-warmup" "${TMP}/wrk-${peer}-w${w}-r${round}-warmup${part}.out" \
            "${CELLS[$(( (part - 1) % ${#CELLS[@]} ))]}"
        done
      done
      local order=(${PEERS}) cell_index=0 turn
      for cell in "${CELLS[@]}"; do
        for turn in $(seq 0 $(( ${#order[@]} - 1 ))); do
          peer="${order[$(( (turn + cell_index + round - 1) % ${#order[@]} ))]}"
          use_peer "${peer}"
          out="${TMP}/wrk-${peer}-w${w}-r${round}-${cell//\//-}.out"
          repeats=0
          while :; do
            cpu_before="$(cpu_ticks)"
            run_wrk "${DURATION_S}" "${peer}-w${w}-r${round}-${cell}" "${out}" "${cell}"
            cpu_share="$(cpu_shares "${cpu_before}" "$(cpu_ticks)")"
            awk -v s="${cpu_share#*/}" -v m="${STEAL_MAX}" 'BEGIN { exit !(s > m) }' && (( repeats < STEAL_REPEATS )) || break
            line="$(grep '^PEERS_RESULT ' "${out}")"
            # A run with a wrong region, a non-200 or a socket error is never set aside: it is reported.
            [[ "${peer}" == direct || "${peer}" == relay ]] || [[ "$(field "${line}" mismatches)" == 0 \
              && "$(field "${line}" non200)" == 0 && "$(field "${line}" errors)" == 0/0/0/0/0 ]] || break
            repeats=$((repeats + 1))
            mv "${out}" "${out%.out}-steal${repeats}.out"
            log "w=${w} round ${round} ${peer} ${cell}: $(field "${line}" rps) req/s with ${cpu_share#*/}% steal (> STEAL_MAX=${STEAL_MAX}): measured again (${repeats}/${STEAL_REPEATS})"
          done
          line="$(grep '^PEERS_RESULT ' "${out}")"
          printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${w}" "${peer}" "${round}" "${cell}" \
            "$(field "${line}" rps)" "$(field "${line}" p50_ms)" "$(field "${line}" p99_ms)" "$(field "${line}" mismatches)" \
            "$(field "${line}" non200)" "$(field "${line}" unchecked)" "$(field "${line}" errors)" "$(field "${line}" requests)" \
            "${cpu_share}" "${repeats}" >>"${TMP}/results.tsv"
          log "w=${w} round ${round} ${peer} ${cell}: $(field "${line}" rps) req/s, p50 $(field "${line}" p50_ms) ms, p99 $(field "${line}" p99_ms) ms, mismatches $(field "${line}" mismatches), non-200 $(field "${line}" non200), errors $(field "${line}" errors), CPU idle/steal ${cpu_share}"
        done
        cell_index=$((cell_index + 1))
      done
      for peer in ${PEERS}; do
        use_peer "${peer}"
        [[ "${peer}" != homeport ]] || check_io_threads "${w}"
        [[ -z "${PEER_PID}" ]] || stop_pid "${PEER_PID}"
      done
    done
  done
  stop_pid "${BACKENDS_PID}"

  local report="${TMP}/report.md"
  {
    echo "## Peers: ${started}"
    echo
    echo '```sh'
    command_line
    echo '```'
    echo
    summary_table
    echo
    echo "Each round: every peer started once (each on its own port) and warmed up (${WARMUP}; JVM peers ${WARMUP_JVM} in ${WARMUP_JVM_RUNS} runs cycling through the cells; discarded),"
    echo "then ${DURATION} on each of the ${#CELLS[@]} workload cells, the peers (${PEERS// /, }) taking turns on each cell in an order that rotates; ${ROUNDS} round(s),"
    echo "${CONNECTIONS} connections from ${WRK_THREADS} wrk thread(s) on CPUs ${WRK_CPUS}; backends (nginx, 1 worker) on CPUs ${BACKEND_CPUS};"
    echo "the proxy under test on $(for w in ${WORKERS}; do printf 'CPUs %s with %s worker(s), ' "$(proxy_cpus "${w}")" "${w}"; done | sed 's/, $//')."
    echo "Clients cycled through X-Forwarded-For: ${CLIENT_COUNT} IPv4 (clients.tsv) or ${CLIENT_COUNT_V6} with ${IPV6_SHARE}% IPv6 (clients-v6.tsv); every response checked for its region."
    echo "Homeport started as the README says (java -jar homeport.jar run --config gateway.yaml, workers: N in gateway.yaml)$([[ -z "${HOMEPORT_JAVA_OPTS}" ]] && echo ", no JVM options." || echo "; NOT as the README says: HOMEPORT_JAVA_OPTS="${HOMEPORT_JAVA_OPTS}".")"
    echo "HAProxy map: ${MAP_LINES} networks (${HAPROXY_MAP}); access logs: ${ACCESS_LOG}. p50/p99: medians of the rounds' wrk percentiles."
    echo
    machine
    versions
    echo
    echo "<details><summary>every run (workers, peer, round, cell, req/s, p50 ms, p99 ms, mismatches, non-200, unchecked, errors c/r/w/t/s, requests, CPU idle/steal % of the machine during the run, repeats for steal)</summary>"
    echo
    echo '```'
    cat "${TMP}/results.tsv"
    echo '```'
    echo "</details>"
    echo
  } >"${report}"
  echo
  cat "${report}"
  if [[ -n "${RESULTS}" ]]; then
    if [[ ! -f "${RESULTS}" ]]; then
      printf '# Benchmark results\n\nAppended by benchmarks/peers/run.sh.\n\n' >"${RESULTS}"
    fi
    cat "${report}" >>"${RESULTS}"
    log "appended to ${RESULTS}"
  fi
  FAILED=0
}

main "$@"
