#!/usr/bin/env bash
# Homeport beside nginx+geoip2 and HAProxy on identical work, on loopback. See README.md here.
#
#   benchmarks/peers/run.sh                         # 3 interleaved rounds x (1 and 2 workers), 10 s each
#   ROUNDS=1 DURATION=3s WORKERS=1 benchmarks/peers/run.sh      # a quick check that everything works
#
# Every setting is an environment variable (defaults in brackets):
#   ROUNDS [3]  DURATION [10s]  WARMUP [2s]  CONNECTIONS [64]  WORKERS ["1 2"]
#   WARMUP_JVM [WARMUP]: the warm-up of the JVM peers (homeport, relay), whose JIT compiler shares
#              the proxy's CPU and settles only after tens of seconds under load on one core
#   WARMUP_JVM_RUNS [5]: WARMUP_JVM is split into this many wrk runs, each with new connections, so
#              that accepting and closing connections is compiled before the measurement too (with
#              one long run, the measurement's new connections deoptimize the event loop's compiled
#              code and the JIT recompiles it during the measured seconds)
#   PEERS ["direct nginx haproxy homeport"]   (the order of each round; direct is the baseline;
#          relay, a Netty byte relay to the us backend that parses nothing, is the floor of any Netty proxy)
#   WRK_THREADS [1]  WRK_CPUS [0]  BACKEND_CPUS [1]
#   PROXY_CPUS_<n> [1 for n=1; CPUs 1..n when the machine has n+1 CPUs, else 1]
#   PORT_BASE [18080]: proxy on PORT_BASE, Homeport's admin on +10, backends on +21..+23 (127.0.0.1)
#   ACCESS_LOG [devnull]: devnull (every proxy formats and writes one line per request to /dev/null),
#              off (nginx and HAProxy log nothing; Homeport cannot turn its log off: to /dev/null)
#   HAPROXY_MAP [full]: full (every network of the database) or skip-default (only the networks whose
#              region is not the default: a smaller map with the same answers)
#   HOMEPORT_JAVA_OPTS []: extra JVM options for Homeport
#   STEAL_MAX [2]  STEAL_REPEATS [5]: a measured run during which the hypervisor took more than
#              STEAL_MAX % of the machine's CPU time for other guests (steal, /proc/stat) is measured
#              again, at once and on the same warm peer, up to STEAL_REPEATS times; the last one counts
#              (a run with a wrong region, a non-200 or an error is never set aside). Every peer is
#              held to the same rule; repeats add to the time estimate; STEAL_REPEATS=0 turns it off
#   RESULTS [benchmarks/RESULTS.md]: where the table is appended; RESULTS= (empty) appends nowhere
#   NO_INSTALL [0]: 1 fails instead of running apt-get when a tool is missing
#   KEEP_TMP [0]: 1 keeps the generated configs and logs (they are kept anyway when a step fails)
set -euo pipefail

if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
  exit 0
fi
(( $# == 0 )) || { echo "usage: [VAR=value ...] $0   (settings are environment variables; $0 --help)" >&2; exit 2; }

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "${SCRIPT_DIR}/../.." && pwd)"
cd "${REPO_ROOT}"

ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
WARMUP_JVM="${WARMUP_JVM:-${WARMUP}}"
WARMUP_JVM_RUNS="${WARMUP_JVM_RUNS:-5}"
CONNECTIONS="${CONNECTIONS:-64}"
WORKERS="${WORKERS:-1 2}"
PEERS="${PEERS:-direct nginx haproxy homeport}"
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
LUA="${SCRIPT_DIR}/xff.lua"
DB="${REPO_ROOT}/.cache/geoip/geo-whois-asn-country.mmdb"
HOMEPORT_JAR="${REPO_ROOT}/gateway/target/homeport.jar"
BENCH_JAR="${REPO_ROOT}/benchmarks/target/benchmarks.jar"
GEOIP2_MODULE="/usr/lib/nginx/modules/ngx_http_geoip2_module.so"
NPROC="$(nproc)"

PROXY_PORT="${PORT_BASE}"
ADMIN_PORT=$((PORT_BASE + 10))

log() { printf '[peers %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

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
TMP="$(mktemp -d "${TMPDIR:-/tmp}/homeport-peers.XXXXXX")"
chmod 755 "${TMP}" # nginx workers run as nobody when started as root
declare -A PIDS=()  # pid -> name
FAILED=1

stop_pid() { # stop one process we started (and the nginx workers it forked), TERM then KILL
  local pid="$1" name="${PIDS[$1]:-process}" children i
  kill -0 "${pid}" 2>/dev/null || { wait "${pid}" 2>/dev/null || true; unset "PIDS[${pid}]"; return 0; }
  children="$(pgrep -P "${pid}" 2>/dev/null || true)"
  kill -TERM "${pid}" 2>/dev/null || true
  for i in $(seq 1 100); do
    kill -0 "${pid}" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "${pid}" 2>/dev/null; then
    log "${name} (pid ${pid}) did not stop on TERM; killing it"
    kill -KILL "${pid}" 2>/dev/null || true
  fi
  wait "${pid}" 2>/dev/null || true
  for child in ${children}; do
    if kill -0 "${child}" 2>/dev/null; then
      kill -KILL "${child}" 2>/dev/null || true
    fi
  done
  unset "PIDS[${pid}]"
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${!PIDS[@]}"; do
    stop_pid "${pid}"
  done
  if [[ "${KEEP_TMP}" == 1 || "${FAILED}" == 1 ]]; then
    log "configs and logs kept in ${TMP}"
  else
    rm -rf "${TMP}"
  fi
  exit "${rc}"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

start_bg() { # start_bg NAME LOGFILE COMMAND...: runs COMMAND in the background, records its PID
  local name="$1" logfile="$2"
  shift 2
  "$@" >"${logfile}" 2>&1 &
  PIDS[$!]="${name}"
  LAST_PID=$!
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # wait_port PORT PID NAME LOG: until PORT accepts, or fail if PID died or 60 s passed
  local port="$1" pid="$2" name="$3" logfile="$4" i
  for i in $(seq 1 600); do
    port_open "${port}" && return 0
    if ! kill -0 "${pid}" 2>/dev/null; then
      tail -n 20 "${logfile}" >&2 || true
      die "${name} exited before listening on ${port} (log: ${logfile})"
    fi
    sleep 0.1
  done
  tail -n 20 "${logfile}" >&2 || true
  die "${name} did not listen on ${port} within 60 s (log: ${logfile})"
}

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

  java -cp "${BENCH_JAR}" io.homeport.bench.peers.GenerateClients --db "${DB}" --table "${TABLE}" --verify "${CLIENTS}" \
    2>"${TMP}/clients-verify.log" || { cat "${TMP}/clients-verify.log" >&2; die "${CLIENTS} disagrees with the database; regenerate it:
  java -cp ${BENCH_JAR} io.homeport.bench.peers.GenerateClients --db ${DB} --table ${TABLE} --out ${CLIENTS}"; }
  CLIENT_COUNT="$(grep -vc '^#' "${CLIENTS}")"

  local map_args=()
  [[ "${HAPROXY_MAP}" == skip-default ]] && map_args+=(--skip-default)
  java -cp "${BENCH_JAR}" io.homeport.bench.peers.ExportNetworkMap --db "${DB}" --table "${TABLE}" \
    --out "${TMP}/regions.map" "${map_args[@]}" 2>"${TMP}/map.log" || { cat "${TMP}/map.log" >&2; die "ExportNetworkMap failed"; }
  MAP_LINES="$(grep -vc '^#' "${TMP}/regions.map")"
  log "HAProxy map: $(cat "${TMP}/map.log")"

  # One client per region, for the check each proxy must pass before it is measured.
  SAMPLES="$(awk -F'\t' '!/^#/ && !seen[$3]++ { print $1, $3 }' "${CLIENTS}")"
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
  local dir="${TMP}/backends" region port
  mkdir -p "${dir}"
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
    location / {
      add_header X-Backend-Region ${region} always;
      add_header X-Echo-XFF \$http_x_forwarded_for always;
      return 200 "${region}\n";
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
    listen 127.0.0.1:${PROXY_PORT} backlog=4096 reuseport;
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
  bind 127.0.0.1:${PROXY_PORT}
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

write_homeport() { # write_homeport DIR
  local dir="$1" region country
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
  cat >"${dir}/gateway.yaml" <<EOF
listen: 127.0.0.1:${PROXY_PORT}
admin: {listen: 127.0.0.1:${ADMIN_PORT}}
rules: rules.yaml
geoip:
  database: ${DB}
  cache: {max_entries: 100000}
client_ip:
  trusted_proxies: [127.0.0.0/8]
audit: {user_hash_key_file: user-hash.key}
EOF
}

# start_peer PEER WORKERS: starts the proxy under test (nothing for direct); sets PEER_PID, TARGET_PORT
start_peer() {
  local peer="$1" w="$2" cpus dir
  cpus="$(proxy_cpus "${w}")"
  dir="${TMP}/${peer}-w${w}"
  PEER_PID=""
  TARGET_PORT="${PROXY_PORT}"
  case "${peer}" in
    direct)
      TARGET_PORT="$(region_port "${DEFAULT_REGION}")"
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
        "${PROXY_PORT}" "$(region_port "${DEFAULT_REGION}")" "${w}" >/dev/null 2>"${TMP}/relay-w${w}.log" &
      PIDS[$!]=relay
      LAST_PID=$!
      ;;
    homeport)
      [[ -f "${dir}/gateway.yaml" ]] || write_homeport "${dir}"
      # No gateway.yaml key sets the I/O thread count (Homeport.Options.ioThreads is 0 in `run`:
      # Netty's default), and Netty's default is io.netty.eventLoopThreads when that is set.
      # shellcheck disable=SC2086
      taskset -c "${cpus}" java -Dio.netty.eventLoopThreads="${w}" ${HOMEPORT_JAVA_OPTS} -jar "${HOMEPORT_JAR}" \
        run --config "${dir}/gateway.yaml" >/dev/null 2>"${dir}/stderr.log" &
      PIDS[$!]=homeport
      LAST_PID=$!
      ;;
  esac
  PEER_PID="${LAST_PID}"
  local logfile="${dir}/error.log"
  [[ "${peer}" == nginx ]] || logfile="${dir}/stderr.log"
  [[ "${peer}" != relay ]] || logfile="${TMP}/relay-w${w}.log"
  wait_port "${PROXY_PORT}" "${PEER_PID}" "${peer}" "${logfile}"
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

# run_wrk SECONDS LABEL OUTFILE: the PEERS_RESULT line lands in OUTFILE. wrk runs in the background
# and is waited for, so that Ctrl-C reaches this script's trap at once (wrk itself would catch it,
# print its figures and exit 0, and bash would carry on).
run_wrk() {
  local secs="$1" label="$2" out="$3" pid rc=0
  timeout -k 5 $((secs + 30)) taskset -c "${WRK_CPUS}" wrk -t"${WRK_THREADS}" -c"${CONNECTIONS}" -d"${secs}s" --timeout 5s \
    -s "${LUA}" "http://127.0.0.1:${TARGET_PORT}/" -- "${CLIENTS}" "${label}" >"${out}" 2>&1 &
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

field() { # field LINE NAME
  tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'
}

# ---------------------------------------------------------------------------------------------
# 4. The table.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

summary_table() {
  local w peer rps p50 p99 mism non200 errs direct_rps nginx_rps vs_direct vs_nginx n
  echo "| peer | workers | connections | req/s (median of ${ROUNDS}) | p50 ms | p99 ms | mismatches | non-200 / errors | vs direct | vs nginx |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for w in ${WORKERS}; do
    direct_rps="$(awk -F'\t' -v w="${w}" '$1 == w && $2 == "direct" { print $4 }' "${TMP}/results.tsv" | median)"
    nginx_rps="$(awk -F'\t' -v w="${w}" '$1 == w && $2 == "nginx" { print $4 }' "${TMP}/results.tsv" | median)"
    for peer in ${PEERS}; do
      n="$(awk -F'\t' -v w="${w}" -v p="${peer}" '$1 == w && $2 == p' "${TMP}/results.tsv" | wc -l)"
      (( n > 0 )) || continue
      rps="$(awk -F'\t' -v w="${w}" -v p="${peer}" '$1 == w && $2 == p { print $4 }' "${TMP}/results.tsv" | median)"
      p50="$(awk -F'\t' -v w="${w}" -v p="${peer}" '$1 == w && $2 == p { print $5 }' "${TMP}/results.tsv" | median)"
      p99="$(awk -F'\t' -v w="${w}" -v p="${peer}" '$1 == w && $2 == p { print $6 }' "${TMP}/results.tsv" | median)"
      mism="$(awk -F'\t' -v w="${w}" -v p="${peer}" '$1 == w && $2 == p { s += $7 } END { print s + 0 }' "${TMP}/results.tsv")"
      non200="$(awk -F'\t' -v w="${w}" -v p="${peer}" '$1 == w && $2 == p { s += $8 } END { print s + 0 }' "${TMP}/results.tsv")"
      errs="$(awk -F'\t' -v w="${w}" -v p="${peer}" '$1 == w && $2 == p { split($10, e, "/"); s += e[1] + e[2] + e[3] + e[4] } END { print s + 0 }' "${TMP}/results.tsv")"
      vs_direct="$(awk -v a="${rps}" -v b="${direct_rps}" 'BEGIN { if (b == "nan" || b == 0) print "-"; else printf "%.2f", a / b }')"
      vs_nginx="$(awk -v a="${rps}" -v b="${nginx_rps}" 'BEGIN { if (b == "nan" || b == 0) print "-"; else printf "%.2f", a / b }')"
      [[ "${peer}" == direct || "${peer}" == relay ]] && mism="n/a"
      printf '| %s | %s | %s | %.0f | %.3f | %.3f | %s | %s / %s | %s | %s |\n' \
        "${peer}" "$([[ "${peer}" == direct ]] && echo "-" || echo "${w}")" "${CONNECTIONS}" "${rps}" "${p50}" "${p99}" \
        "${mism}" "${non200}" "${errs}" "${vs_direct}" "${vs_nginx}"
    done
  done
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
  for port in "${PROXY_PORT}" "${ADMIN_PORT}" $(for r in "${REGIONS[@]}"; do region_port "${r}"; done); do
    port_open "${port}" && die "127.0.0.1:${port} is already in use (set PORT_BASE)"
  done
  taskset -c "${WRK_CPUS}" true || die "WRK_CPUS=${WRK_CPUS}: not CPUs of this machine"
  for w in ${WORKERS}; do
    taskset -c "$(proxy_cpus "${w}")" true || die "PROXY_CPUS_${w}=$(proxy_cpus "${w}"): not CPUs of this machine"
  done

  runs=$(( ROUNDS * $(wc -w <<<"${WORKERS}") * $(wc -w <<<"${PEERS}") ))
  total=$(( runs * (DURATION_S + WARMUP_S + 4) ))
  jvm_runs=$(( ROUNDS * $(wc -w <<<"${WORKERS}") * $(tr ' ' '\n' <<<"${PEERS}" | grep -cx 'homeport\|relay' || true) ))
  total=$(( total + jvm_runs * (WARMUP_JVM_S - WARMUP_S + WARMUP_JVM_RUNS) ))
  log "${runs} runs of ${DURATION} (+${WARMUP} warm-up each; JVM peers ${WARMUP_JVM} in ${WARMUP_JVM_RUNS} runs), ${CONNECTIONS} connections, ${WRK_THREADS} wrk thread(s) on CPUs ${WRK_CPUS}: about $(( total / 60 )) min $(( total % 60 )) s"
  start_backends
  : >"${TMP}/results.tsv"
  started="$(date -u '+%Y-%m-%d %H:%M UTC')"
  for w in ${WORKERS}; do
    log "--- ${w} worker(s): proxy on CPUs $(proxy_cpus "${w}"), backends on ${BACKEND_CPUS}, wrk on ${WRK_CPUS}"
    for round in $(seq 1 "${ROUNDS}"); do
      for peer in ${PEERS}; do
        start_peer "${peer}" "${w}"
        warmup="${WARMUP_S}"
        warmup_runs=1
        if [[ "${peer}" == homeport || "${peer}" == relay ]]; then
          warmup="${WARMUP_JVM_S}"
          warmup_runs="${WARMUP_JVM_RUNS}"
          (( warmup_runs <= warmup )) || warmup_runs="${warmup}"
        fi
        for part in $(seq 1 "${warmup_runs}"); do
          (( warmup == 0 )) || run_wrk $(( warmup / warmup_runs + (part <= warmup % warmup_runs ? 1 : 0) )) \
            "${peer}-w${w}-warmup" "${TMP}/wrk-${peer}-w${w}-r${round}-warmup${part}.out"
        done
        repeats=0
        while :; do
          cpu_before="$(cpu_ticks)"
          run_wrk "${DURATION_S}" "${peer}-w${w}-r${round}" "${TMP}/wrk-${peer}-w${w}-r${round}.out"
          cpu_share="$(cpu_shares "${cpu_before}" "$(cpu_ticks)")"
          awk -v s="${cpu_share#*/}" -v m="${STEAL_MAX}" 'BEGIN { exit !(s > m) }' && (( repeats < STEAL_REPEATS )) || break
          line="$(grep '^PEERS_RESULT ' "${TMP}/wrk-${peer}-w${w}-r${round}.out")"
          # A run with a wrong region, a non-200 or a socket error is never set aside: it is reported.
          [[ "${peer}" == direct || "${peer}" == relay ]] || [[ "$(field "${line}" mismatches)" == 0 \
            && "$(field "${line}" non200)" == 0 && "$(field "${line}" errors)" == 0/0/0/0/0 ]] || break
          repeats=$((repeats + 1))
          mv "${TMP}/wrk-${peer}-w${w}-r${round}.out" "${TMP}/wrk-${peer}-w${w}-r${round}-steal${repeats}.out"
          log "w=${w} round ${round} ${peer}: $(field "${line}" rps) req/s with ${cpu_share#*/}% steal (> STEAL_MAX=${STEAL_MAX}): measured again (${repeats}/${STEAL_REPEATS})"
        done
        line="$(grep '^PEERS_RESULT ' "${TMP}/wrk-${peer}-w${w}-r${round}.out")"
        [[ "${peer}" != homeport ]] || check_io_threads "${w}"
        [[ -z "${PEER_PID}" ]] || stop_pid "${PEER_PID}"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${w}" "${peer}" "${round}" \
          "$(field "${line}" rps)" "$(field "${line}" p50_ms)" "$(field "${line}" p99_ms)" "$(field "${line}" mismatches)" \
          "$(field "${line}" non200)" "$(field "${line}" unchecked)" "$(field "${line}" errors)" "$(field "${line}" requests)" \
          "${cpu_share}" "${repeats}" >>"${TMP}/results.tsv"
        log "w=${w} round ${round} ${peer}: $(field "${line}" rps) req/s, p50 $(field "${line}" p50_ms) ms, p99 $(field "${line}" p99_ms) ms, mismatches $(field "${line}" mismatches), non-200 $(field "${line}" non200), errors $(field "${line}" errors), CPU idle/steal ${cpu_share}"
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
    echo "Each peer: ${ROUNDS} round(s) of ${DURATION} after a ${WARMUP} warm-up run (JVM peers: ${WARMUP_JVM} in ${WARMUP_JVM_RUNS} runs; discarded), interleaved (${PEERS// /, }),"
    echo "${CONNECTIONS} connections from ${WRK_THREADS} wrk thread(s) on CPUs ${WRK_CPUS}; backends (nginx, 1 worker) on CPUs ${BACKEND_CPUS};"
    echo "the proxy under test on $(for w in ${WORKERS}; do printf 'CPUs %s with %s worker(s), ' "$(proxy_cpus "${w}")" "${w}"; done | sed 's/, $//')."
    echo "${CLIENT_COUNT} clients (benchmarks/peers/clients.tsv) cycled through X-Forwarded-For; every response checked for its region."
    echo "HAProxy map: ${MAP_LINES} networks (${HAPROXY_MAP}); access logs: ${ACCESS_LOG}. p50/p99: medians of the rounds' wrk percentiles."
    echo
    machine
    versions
    echo
    echo "<details><summary>every run (workers, peer, round, req/s, p50 ms, p99 ms, mismatches, non-200, unchecked, errors c/r/w/t/s, requests, CPU idle/steal % of the machine during the run, repeats for steal)</summary>"
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
