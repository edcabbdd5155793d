#!/usr/bin/env bash
# The residency directory end to end (issue 15): Homeport with its pins in Redis beside the same
# pins from a users file, and with a cold near-cache in front of 10 million pins. See README.md here.
#
#   benchmarks/directory/run.sh                      # both parts, 3 interleaved rounds each
#   PARTS=warm ROUNDS=1 DURATION=3s WARMUP_JVM=10s MIXES=v4 HEADS=200 ANSWERS=100 benchmarks/directory/run.sh   # a quick check
#
# warm: two gateways started as the README says (java -jar homeport.jar run --config gateway.yaml),
#   one with `residency.users: {file: users.csv}`, one with `{source: redis}` and directory.redis
#   pointing at a redis-server this script starts, both holding the same USERS users (a third pinned,
#   to beijing, singapore and us in turn; the rest without a pin). wrk cycles through the users with
#   X-User-Id and X-Forwarded-For, so after the warm-up every user is in the near-cache; the two
#   gateways take turns, cell by cell, ROUNDS times, on the same work. The workload matrix is the
#   peer benchmark's (benchmarks/peers/run.sh), MIXES x HEADS x ANSWERS, 12 cells by default:
#   MIXES ["v4 v6"]: clients of benchmarks/peers/clients.tsv (IPv4) or clients-v6.tsv (35% IPv6);
#   HEADS ["200 800"]: request heads of about 200 or 800 bytes (users.lua); ANSWERS ["100 2k 16k"]:
#   answer bodies of 100 B, 2 KiB, 16 KiB. Target: the Redis gateway's throughput within 5% of the
#   file gateway's, in every cell.
# cold: COLD_PINS pins written to Redis with `homeport pins import` (its rate is reported), a fresh
#   Redis gateway (near_cache.max_entries at its default, 1,000,000), and wrk at COLD_CONNECTIONS
#   connections alternating between users it has cached (a warm set of WARM_SET users) and users
#   drawn at random from all COLD_PINS (nearly every one a near-cache miss: a Redis GET before the
#   decision). Reported: p50/p90/p99 and throughput of both, the latency the misses add, and the
#   lookups per second Redis served (INFO commandstats); then the same at one pace (PACE_MS), where
#   the p99 the misses add is read.
#
# Settings (environment variables, defaults in brackets):
#   PARTS ["warm cold"]  ROUNDS [3]  DURATION [10s]  WARMUP_JVM [60s]  CONNECTIONS [64]  USERS [100000]
#   MIXES ["v4 v6"]  HEADS ["200 800"]  ANSWERS ["100 2k 16k"]  (the warm part's matrix; the cold part
#              measures one cell: v4, 200-byte heads, 100-byte answers)
#   COLD_PINS [10000000]  COLD_CONNECTIONS [16]  WARM_SET [50000]
#   PACE_MS [4]  PACED_CONNECTIONS [64]: the cold part's paced rounds, both kinds of users again with
#              every connection waiting PACE_MS on average after each response (paced.lua), so that
#              both run at about the same rate and their p99 compares (0: no paced rounds)
#   WRK_CPUS [0]  PROXY_CPUS [1]  BACKEND_CPUS [1]  (Redis shares the backends' CPUs)
#   PORT_BASE [19080]: gateways on +3 (file) and +4 (redis), admins on +10/+11, backends +21..+23, Redis +30
#   NEAR_CACHE_TTL []: directory.redis.near_cache.ttl for the Redis gateways (empty: the default, 5m);
#              a ttl longer than the run leaves out the background refresh, to tell its cost apart
#   HOMEPORT_JAVA_OPTS []: extra JVM options, for diagnosis only: the report then says Homeport was NOT
#              started as the README says
#   RESULTS [benchmarks/RESULTS.md] (empty: append nowhere)  KEEP_TMP [0]  NO_INSTALL [0]
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_NAME=directory
# shellcheck source=../lib.sh
source "${SCRIPT_DIR}/../lib.sh"
bench_usage "$0" "$@"
REPO_ROOT="$(cd "${SCRIPT_DIR}/../.." && pwd)"
cd "${REPO_ROOT}"

PARTS="${PARTS:-warm cold}"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10s}"
WARMUP_JVM="${WARMUP_JVM:-60s}"
MIXES="${MIXES:-v4 v6}"
HEADS="${HEADS:-200 800}"
ANSWERS="${ANSWERS:-100 2k 16k}"
CONNECTIONS="${CONNECTIONS:-64}"
USERS="${USERS:-100000}"
COLD_PINS="${COLD_PINS:-10000000}"
COLD_CONNECTIONS="${COLD_CONNECTIONS:-16}"
WARM_SET="${WARM_SET:-50000}"
PACE_MS="${PACE_MS:-4}"
PACED_CONNECTIONS="${PACED_CONNECTIONS:-64}"
WRK_CPUS="${WRK_CPUS:-0}"
PROXY_CPUS="${PROXY_CPUS:-1}"
BACKEND_CPUS="${BACKEND_CPUS:-1}"
PORT_BASE="${PORT_BASE:-19080}"
RESULTS="${RESULTS-benchmarks/RESULTS.md}"
KEEP_TMP="${KEEP_TMP:-0}"
NO_INSTALL="${NO_INSTALL:-0}"
HOMEPORT_JAVA_OPTS="${HOMEPORT_JAVA_OPTS:-}"
NEAR_CACHE_TTL="${NEAR_CACHE_TTL:-}"

seconds_of() { [[ "$1" =~ ^([0-9]+)s?$ ]] && echo "${BASH_REMATCH[1]}" || { echo "not a duration in seconds: $1" >&2; exit 2; }; }
DURATION_S="$(seconds_of "${DURATION}")"
WARMUP_JVM_S="$(seconds_of "${WARMUP_JVM}")"
for n in ROUNDS CONNECTIONS USERS COLD_PINS COLD_CONNECTIONS WARM_SET; do
  [[ "${!n}" =~ ^[1-9][0-9]*$ ]] || { echo "${n}=${!n}: a positive whole number" >&2; exit 2; }
done

CELLS=()
for mix in ${MIXES}; do
  [[ "${mix}" == v4 || "${mix}" == v6 ]] || { echo "MIXES: v4 and/or v6, not ${mix}" >&2; exit 2; }
  for head in ${HEADS}; do
    [[ "${head}" == 200 || "${head}" == 800 ]] || { echo "HEADS: 200 and/or 800, not ${head}" >&2; exit 2; }
    for answer in ${ANSWERS}; do
      [[ "${answer}" =~ ^(100|2k|16k)$ ]] || { echo "ANSWERS: 100, 2k and/or 16k, not ${answer}" >&2; exit 2; }
      CELLS+=("${mix}/${head}/${answer}")
    done
  done
done
(( ${#CELLS[@]} > 0 )) || { echo "MIXES, HEADS and ANSWERS: at least one each" >&2; exit 2; }

CLIENTS="${REPO_ROOT}/benchmarks/peers/clients.tsv"
clients_of() { [[ "$1" == v6 ]] && echo "${REPO_ROOT}/benchmarks/peers/clients-v6.tsv" || echo "${CLIENTS}"; }
TABLE="${REPO_ROOT}/benchmarks/peers/regions.tsv"
LUA="${SCRIPT_DIR}/users.lua"
PACED_LUA="${SCRIPT_DIR}/paced.lua"
DB="${REPO_ROOT}/.cache/geoip/geo-whois-asn-country.mmdb"
HOMEPORT_JAR="${REPO_ROOT}/gateway/target/homeport.jar"
REGIONS=(beijing singapore us) # users.lua's pins name these, in this order
REDIS_PORT=$((PORT_BASE + 30))
port_of() { case "$1" in file) echo $((PORT_BASE + 3)) ;; redis) echo $((PORT_BASE + 4)) ;; esac; }
admin_of() { case "$1" in file) echo $((PORT_BASE + 10)) ;; redis) echo $((PORT_BASE + 11)) ;; esac; }
backend_port() { local i; for i in "${!REGIONS[@]}"; do [[ "${REGIONS[$i]}" == "$1" ]] && echo $((PORT_BASE + 21 + i)); done; }

bench_tmp

install_tools() {
  local packages=()
  command -v nginx >/dev/null 2>&1 || packages+=(nginx-light)
  command -v wrk >/dev/null 2>&1 || packages+=(wrk)
  command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
  command -v curl >/dev/null 2>&1 || packages+=(curl)
  (( ${#packages[@]} == 0 )) && return 0
  [[ "${NO_INSTALL}" != 1 ]] || die "missing packages: ${packages[*]} (NO_INSTALL=1)"
  (( EUID == 0 )) || die "missing packages: ${packages[*]}; run as root, or: sudo apt-get install -y ${packages[*]}"
  log "installing ${packages[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
}

build() {
  [[ -f "${DB}" ]] || deploy/geoip/fetch-world-db.sh >&2 || die "no world database (deploy/geoip/fetch-world-db.sh)"
  if [[ ! -f "${HOMEPORT_JAR}" ]]; then
    log "building homeport.jar"
    ./mvnw -B -q -DskipTests install >&2 || die "build failed"
  fi
}

# ---------------------------------------------------------------------------------------------
start_backends() { # nginx, one server per region: X-Backend-Region, and the request's user and client echoed
  local dir="${TMP}/backends" region
  mkdir -p "${dir}/www"
  local size
  for size in 100:100 2k:2048 16k:16384; do # the peer benchmark's answers
    awk -v n="${size#*:}" 'BEGIN { s = "{\"items\":\""; while (length(s) < n - 3) s = s "x"; printf "%s\"}\n", s }' \
      >"${dir}/www/a${size%%:*}"
  done
  {
    echo "daemon off; master_process on; pid ${dir}/nginx.pid; error_log ${dir}/error.log warn;"
    echo "worker_processes 1; events { worker_connections 8192; }"
    echo "http { access_log off; keepalive_requests 1000000000; keepalive_timeout 120s; default_type application/json;"
    echo "  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;"
    echo "  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;"
    for region in "${REGIONS[@]}"; do
      echo "  server { listen 127.0.0.1:$(backend_port "${region}") backlog=4096; root ${dir}/www; etag off;"
      echo "    add_header X-Backend-Region ${region} always; add_header X-Echo-User \$http_x_user_id always;"
      echo "    add_header X-Echo-XFF \$http_x_forwarded_for always; location = / { return 200 \"${region}\\n\"; } }"
    done
    echo "}"
  } >"${dir}/nginx.conf"
  start_bg backends "${dir}/stdout.log" taskset -c "${BACKEND_CPUS}" nginx -e "${dir}/error.log" -p "${dir}" -c "${dir}/nginx.conf"
  BACKENDS_PID="${LAST_PID}"
  for region in "${REGIONS[@]}"; do wait_port "$(backend_port "${region}")" "${BACKENDS_PID}" backends "${dir}/error.log"; done
}

start_redis() {
  mkdir -p "${TMP}/redis"
  start_bg redis "${TMP}/redis/redis.log" taskset -c "${BACKEND_CPUS}" redis-server --port "${REDIS_PORT}" --bind 127.0.0.1 \
    --save "" --appendonly no --dir "${TMP}/redis" --protected-mode yes
  REDIS_PID="${LAST_PID}"
  wait_port "${REDIS_PORT}" "${REDIS_PID}" redis "${TMP}/redis/redis.log"
}

redis_gets() { redis-cli -p "${REDIS_PORT}" info commandstats | tr -d '\r' | awk -F'[=,:]' '$1 == "cmdstat_get" { print $3; f = 1 } END { if (!f) print 0 }'; }

# write_gateway SOURCE DIR: rules (the peer benchmark's country table) with the users file or Redis, and gateway.yaml
write_gateway() {
  local source="$1" dir="$2" country region
  mkdir -p "${dir}"
  {
    echo "# Generated by benchmarks/directory/run.sh from ${TABLE##*/}; pins: ${source}."
    echo "version: 1"
    echo "regions:"
    for region in "${REGIONS[@]}"; do
      echo "  ${region}: {endpoints: [\"http://127.0.0.1:$(backend_port "${region}")\"], fail_over_to: []}"
    done
    echo "residency:"
    echo "  default_region: $(awk -F'\t' '$1 == "*" { print $2 }' "${TABLE}")"
    echo "  countries:"
    awk -F'\t' '!/^#/ && $1 != "*" && NF == 2 { printf "    %s: %s\n", $1, $2 }' "${TABLE}"
    if [[ "${source}" == file ]]; then
      echo "  users: {file: ${TMP}/users.csv, identity: {header: X-User-Id}}"
    else
      echo "  users: {source: redis, identity: {header: X-User-Id}}"
    fi
  } >"${dir}/rules.yaml"
  head -c 32 /dev/urandom >"${dir}/user-hash.key"
  {
    echo "listen: 127.0.0.1:$(port_of "${source}")"
    echo "admin: {listen: 127.0.0.1:$(admin_of "${source}")}"
    echo "workers: 1"
    echo "access_log: {path: /dev/null}"
    echo "rules: rules.yaml"
    echo "geoip: {database: ${DB}, cache: {max_entries: 100000}}"
    echo "client_ip: {trusted_proxies: [127.0.0.0/8]}"
    echo "audit: {user_hash_key_file: user-hash.key}"
    if [[ "${source}" != file ]]; then
      echo "directory: {redis: {uris: [\"redis://127.0.0.1:${REDIS_PORT}\"]$([[ -z "${NEAR_CACHE_TTL}" ]] || echo ", near_cache: {ttl: ${NEAR_CACHE_TTL}}")}}"
    fi
  } >"${dir}/gateway.yaml"
}

# start_gateway SOURCE NAME: as the README says; sets GATEWAY_PID
start_gateway() {
  local source="$1" dir="${TMP}/$2" i code=""
  write_gateway "${source}" "${dir}"
  # shellcheck disable=SC2086
  start_bg "$2" "${dir}/stderr.log" taskset -c "${PROXY_CPUS}" java ${HOMEPORT_JAVA_OPTS} -jar "${HOMEPORT_JAR}" run --config "${dir}/gateway.yaml"
  GATEWAY_PID="${LAST_PID}"
  wait_port "$(port_of "${source}")" "${GATEWAY_PID}" "$2" "${dir}/stderr.log"
  for i in $(seq 1 300); do
    code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(admin_of "${source}")/readyz" || true)"
    [[ "${code}" == 200 ]] && break
    sleep 0.1
  done
  [[ "${code}" == 200 ]] || die "$2 not ready (log ${dir}/stderr.log)"
}

# run_wrk SECONDS PORT CONNECTIONS LABEL OUT MODE USERS PREFIX [CELL]: every run draws other random users (its own
# seed); CELL (MIX/HEAD/ANSWER) is the workload, v4/200/100 when not given
RUNS=0
run_wrk() { # run_wrk SECONDS PORT CONNECTIONS LABEL OUT MODE USERS PREFIX [CELL [PACE_MS]]
  RUNS=$((RUNS + 1))
  local mix head answer script="${LUA}" pace=()
  IFS=/ read -r mix head answer <<<"${9:-v4/200/100}"
  [[ -z "${10:-}" ]] || { script="${PACED_LUA}"; pace=("${10}"); }
  timeout -k 5 $(($1 + 30)) taskset -c "${WRK_CPUS}" wrk -t1 -c"$3" -d"$1s" --timeout 5s -s "${script}" \
    "http://127.0.0.1:$2/" -- "$(clients_of "${mix}")" "$4" "$6" "$7" "$8" "${RUNS}" "${head}" "/a${answer}" "${pace[@]}" >"$5" 2>&1 \
    || { cat "$5" >&2; die "wrk failed ($4)"; }
  grep -q '^DIRECTORY_RESULT ' "$5" || { cat "$5" >&2; die "wrk printed no result ($4)"; }
  local line
  line="$(grep '^DIRECTORY_RESULT ' "$5")"
  [[ "$(field "${line}" mismatches)" == 0 && "$(field "${line}" non200)" == 0 && "$(field "${line}" errors)" == 0/0/0/0/0 ]] \
    || log "WARNING $4: ${line}"
  log "$4: ${line#DIRECTORY_RESULT }"
}

col() { awk -F'\t' -v p="$1" -v c="$2" '$1 == p { print $c }' "$3"; }
cellcol() { awk -F'\t' -v p="$1" -v w="$2" -v c="$3" '$1 == p && $10 == w { print $c }' "$4"; } # cellcol SOURCE CELL COLUMN FILE
# ratios CELL: Redis ÷ file throughput, one a round
ratios() { paste <(cellcol redis "$1" 3 "${TMP}/warm.tsv") <(cellcol file "$1" 3 "${TMP}/warm.tsv") | awk '{ printf "%.3f\n", $1 / $2 }'; }

metric() { # metric ADMIN_PORT NAME_REGEX: the sum of the series
  curl -s "http://127.0.0.1:$1/metrics" | awk -v re="^$2" '$0 ~ re { s += $NF } END { printf "%.0f", s }'
}

# ---------------------------------------------------------------------------------------------
warm_part() {
  log "warm: ${USERS} users (a third pinned), pins from a file and from Redis, ${CONNECTIONS} connections"
  awk -v n="${USERS}" 'BEGIN { split("beijing singapore us", r, " "); print "user_id,region"
    for (k = 0; k < n; k += 3) print "u" k "," r[int(k / 3) % 3 + 1] }' >"${TMP}/users.csv"
  java -jar "${HOMEPORT_JAR}" pins import "${TMP}/users.csv" --redis "redis://127.0.0.1:${REDIS_PORT}" \
    >"${TMP}/import-warm.log" 2>&1 || { cat "${TMP}/import-warm.log" >&2; die "pins import failed"; }
  start_gateway file gateway-file
  local file_pid="${GATEWAY_PID}"
  start_gateway redis gateway-redis
  local redis_pid="${GATEWAY_PID}" source part round order cell c runs
  # The warm-up cycles through the cells (every workload's code compiled before any is measured),
  # in runs of at least 3 s, each with new connections.
  runs=$(( WARMUP_JVM_S / 3 > ${#CELLS[@]} ? ${#CELLS[@]} : WARMUP_JVM_S / 3 ))
  (( runs >= 1 )) || runs=1
  for source in file redis; do
    for part in $(seq 1 "${runs}"); do
      cell="${CELLS[$(( (part - 1) % ${#CELLS[@]} ))]}"
      run_wrk $((WARMUP_JVM_S / runs + 1)) "$(port_of "${source}")" "${CONNECTIONS}" "warmup-${source}-${part}-${cell//\//-}" \
        "${TMP}/wrk-warmup-${source}-${part}.out" seq "${USERS}" u "${cell}"
    done
  done
  WARMUP_FAILURES="$(metric "$(admin_of redis)" 'homeport_user_lookup_failures_total')"
  : >"${TMP}/warm.tsv"
  for round in $(seq 1 "${ROUNDS}"); do
    c=0
    for cell in "${CELLS[@]}"; do
      # Which gateway goes first alternates from cell to cell and round to round.
      order="file redis"
      (( (round + c) % 2 == 0 )) && order="redis file"
      c=$((c + 1))
      for source in ${order}; do
        local out="${TMP}/wrk-warm-${source}-${cell//\//-}-r${round}.out" gets_before line
        gets_before="$(redis_gets)"
        run_wrk "${DURATION_S}" "$(port_of "${source}")" "${CONNECTIONS}" "warm-${source}-${cell}-r${round}" "${out}" seq "${USERS}" u "${cell}"
        line="$(grep '^DIRECTORY_RESULT ' "${out}")"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${source}" "${round}" "$(field "${line}" rps)" "$(field "${line}" p50_ms)" \
          "$(field "${line}" p99_ms)" "$(field "${line}" mismatches)" "$(field "${line}" non200)" "$(field "${line}" errors)" \
          "$(awk -v a="${gets_before}" -v b="$(redis_gets)" -v s="$(field "${line}" duration_s)" 'BEGIN { printf "%.0f", (b - a) / s }')" \
          "${cell}" >>"${TMP}/warm.tsv"
      done
    done
  done
  WARM_NEAR_CACHE="$(metric "$(admin_of redis)" 'homeport_pin_near_cache_entries')"
  WARM_MGETS="$(redis-cli -p "${REDIS_PORT}" info commandstats | tr -d '\r' | awk -F'[:=,]' '$1 == "cmdstat_mget" { printf "%s MGETs (%s µs each in Redis)", $3, $7; f = 1 } END { if (!f) printf "no MGET" }')"
  WARM_FAILURES="$(metric "$(admin_of redis)" 'homeport_user_lookup_failures_total')"
  stop_pid "${file_pid}"
  stop_pid "${redis_pid}"
}

# cold_run KIND ROUND CONNECTIONS PACE_MS TSV: one run of the cold part's users of KIND (cached or
# misses), paced when PACE_MS is set; a line of its figures appended to TSV.
cold_run() {
  local kind="$1" round="$2" out gets_before gets_after line mode=seq users="${WARM_SET}"
  out="${TMP}/wrk-cold-${kind}-r${round}${4:+-paced}.out"
  [[ "${kind}" == misses ]] && { mode=random; users="${COLD_PINS}"; }
  gets_before="$(redis_gets)"
  run_wrk "${DURATION_S}" "$(port_of redis)" "$3" "cold-${kind}-r${round}${4:+-paced}" "${out}" "${mode}" "${users}" c v4/200/100 "$4"
  gets_after="$(redis_gets)"
  line="$(grep '^DIRECTORY_RESULT ' "${out}")"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${kind}" "${round}" "$(field "${line}" rps)" "$(field "${line}" p50_ms)" \
    "$(field "${line}" p90_ms)" "$(field "${line}" p99_ms)" "$(awk -v a="${gets_before}" -v b="${gets_after}" -v s="$(field "${line}" duration_s)" 'BEGIN { printf "%.0f", (b - a) / s }')" \
    "$(awk -v a="${gets_before}" -v b="${gets_after}" -v n="$(field "${line}" requests)" 'BEGIN { printf "%.3f", (b - a) / n }')" \
    "$(field "${line}" mismatches)" "$(field "${line}" non200)" "$(field "${line}" errors)" >>"$5"
}

cold_part() {
  log "cold: writing ${COLD_PINS} pins to Redis with homeport pins import"
  awk -v n="${COLD_PINS}" 'BEGIN { split("beijing singapore us", r, " "); print "user_id,region"
    for (k = 0; k < n; k++) print "c" k "," r[k % 3 + 1] }' >"${TMP}/cold.csv"
  java -jar "${HOMEPORT_JAR}" pins import "${TMP}/cold.csv" --redis "redis://127.0.0.1:${REDIS_PORT}" \
    >"${TMP}/import-cold.log" 2>&1 || { cat "${TMP}/import-cold.log" >&2; die "pins import failed"; }
  IMPORT_LINE="$(tr '\r' '\n' <"${TMP}/import-cold.log" | grep -o 'pins import: [0-9,]* written in .*' | tail -n 1)"
  REDIS_MEMORY="$(redis-cli -p "${REDIS_PORT}" info memory | tr -d '\r' | awk -F: '$1 == "used_memory_human" { print $2 }')"
  rm -f "${TMP}/cold.csv"
  log "${IMPORT_LINE}; Redis holds ${REDIS_MEMORY}"
  start_gateway redis gateway-cold
  local pid="${GATEWAY_PID}" part round kind
  # The JVM warms up on the warm set (which fills the near-cache with it) and on misses.
  for part in 1 2 3; do
    run_wrk $((WARMUP_JVM_S / 3 + 1)) "$(port_of redis)" "${COLD_CONNECTIONS}" "warmup-cold-${part}" \
      "${TMP}/wrk-warmup-cold-${part}.out" "$( ((part == 2)) && echo random || echo seq)" \
      "$( ((part == 2)) && echo "${COLD_PINS}" || echo "${WARM_SET}")" c
  done
  COLD_WARMUP_FAILURES="$(metric "$(admin_of redis)" 'homeport_user_lookup_failures_total')"
  : >"${TMP}/cold.tsv"
  : >"${TMP}/cold-paced.tsv"
  for round in $(seq 1 "${ROUNDS}"); do
    for kind in cached misses; do
      cold_run "${kind}" "${round}" "${COLD_CONNECTIONS}" "" "${TMP}/cold.tsv"
    done
  done
  if ((PACE_MS > 0)); then
    for round in $(seq 1 "${ROUNDS}"); do
      for kind in cached misses; do
        cold_run "${kind}" "${round}" "${PACED_CONNECTIONS}" "${PACE_MS}" "${TMP}/cold-paced.tsv"
      done
    done
  fi
  COLD_NEAR_CACHE="$(metric "$(admin_of redis)" 'homeport_pin_near_cache_entries')"
  COLD_FAILURES="$(metric "$(admin_of redis)" 'homeport_user_lookup_failures_total')"
  COLD_RSS="$(awk '/^VmRSS/ { printf "%.0f MiB", $2 / 1024 }' "/proc/${pid}/status")"
  COLD_GC="$(curl -s "http://127.0.0.1:$(admin_of redis)/metrics" | awk '/^jvm_gc_pause_seconds_count/ { n += $NF } /^jvm_gc_pause_seconds_sum/ { s += $NF }
    /^jvm_gc_pause_seconds_max/ { if ($NF > m) m = $NF } END { printf "%d pauses since start, %.0f ms in all, the longest of the last minutes %.1f ms", n, 1000 * s, 1000 * m }')"
  stop_pid "${pid}"
}

# cold_table TSV: the cold part's table, medians of the rounds.
cold_table() {
  local k
  echo "| users | req/s | p50 ms | p90 ms | p99 ms | Redis GETs/s | GETs per request | wrong region / non-200 / errors |"
  echo "|---|---|---|---|---|---|---|---|"
  for k in cached misses; do
    echo "| ${k} | $(col "${k}" 3 "$1" | median) | $(col "${k}" 4 "$1" | median) | $(col "${k}" 5 "$1" | median) | $(col "${k}" 6 "$1" | median) | $(col "${k}" 7 "$1" | median) | $(col "${k}" 8 "$1" | median) | $(col "${k}" 9 "$1" | paste -sd+ | bc) / $(col "${k}" 10 "$1" | paste -sd+ | bc) / $(col "${k}" 11 "$1" | sort -u | paste -sd' ') |"
  done
}

# added COLUMN TSV: misses − cached, medians of the rounds (4: p50, 6: p99).
added() {
  awk -v a="$(col misses "$1" "$2" | median)" -v b="$(col cached "$1" "$2" | median)" 'BEGIN { printf "%+.3f", a - b }'
}

report() {
  echo "## Directory: ${STARTED}"
  echo
  echo '```sh'
  [[ -z "${HOMEPORT_JAVA_OPTS}" ]] || printf 'HOMEPORT_JAVA_OPTS="%s" ' "${HOMEPORT_JAVA_OPTS}"
  [[ -z "${NEAR_CACHE_TTL}" ]] || printf 'NEAR_CACHE_TTL=%s ' "${NEAR_CACHE_TTL}"
  [[ " ${PARTS} " != *" warm "* ]] || printf 'MIXES="%s" HEADS="%s" ANSWERS="%s" ' "${MIXES}" "${HEADS}" "${ANSWERS}"
  [[ " ${PARTS} " != *" cold "* ]] || printf 'PACE_MS=%s PACED_CONNECTIONS=%s ' "${PACE_MS}" "${PACED_CONNECTIONS}"
  printf 'PARTS="%s" ROUNDS=%s DURATION=%s WARMUP_JVM=%s CONNECTIONS=%s USERS=%s COLD_PINS=%s COLD_CONNECTIONS=%s WARM_SET=%s WRK_CPUS=%s PROXY_CPUS=%s BACKEND_CPUS=%s benchmarks/directory/run.sh\n' \
    "${PARTS}" "${ROUNDS}" "${DURATION}" "${WARMUP_JVM}" "${CONNECTIONS}" "${USERS}" "${COLD_PINS}" "${COLD_CONNECTIONS}" "${WARM_SET}" "${WRK_CPUS}" "${PROXY_CPUS}" "${BACKEND_CPUS}"
  echo '```'
  echo
  if [[ " ${PARTS} " == *" warm "* ]]; then
    local f r cell met=0 all
    echo "**All pins in the near-cache** (${USERS} users, a third pinned; ${CONNECTIONS} connections; cell by cell, the two gateways take turns, which goes first alternating):"
    echo
    echo "| clients / head / answer | file req/s | Redis req/s | Redis ÷ file, per round | median | file p99 ms | Redis p99 ms | wrong region / non-200 / errors | ≥ 0.95 |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for cell in "${CELLS[@]}"; do
      r="$(ratios "${cell}" | median)"
      awk -v r="${r}" 'BEGIN { exit !(r >= 0.95) }' && met=$((met + 1))
      echo "| ${cell} | $(cellcol file "${cell}" 3 "${TMP}/warm.tsv" | median) | $(cellcol redis "${cell}" 3 "${TMP}/warm.tsv" | median) | $(ratios "${cell}" | paste -sd' ') | **${r}** | $(cellcol file "${cell}" 5 "${TMP}/warm.tsv" | median) | $(cellcol redis "${cell}" 5 "${TMP}/warm.tsv" | median) | $(for f in 6 7; do awk -F'\t' -v w="${cell}" -v c="${f}" '$10 == w { s += $c } END { printf "%d", s }' "${TMP}/warm.tsv"; printf ' / '; done)$(awk -F'\t' -v w="${cell}" '$10 == w { print $8 }' "${TMP}/warm.tsv" | sort -u | paste -sd' ') | $(awk -v r="${r}" 'BEGIN { print (r >= 0.95) ? "yes" : "**no**" }') |"
    done
    echo
    all="$(for cell in "${CELLS[@]}"; do ratios "${cell}"; done | median)"
    echo "Target (Redis ÷ file throughput ≥ 0.95): met in ${met} of ${#CELLS[@]} cells; the median of every round of every cell is ${all}."
    echo "Background refresh since Redis started: ${WARM_MGETS}."
    echo "Near-cache entries at the end: ${WARM_NEAR_CACHE}; lookup failures: ${WARMUP_FAILURES} during the JVM's warm-up (pins fetched for the first time by a cold JVM, bounded by lookup_timeout), $((WARM_FAILURES - WARMUP_FAILURES)) during the measured runs."
    echo
  fi
  if [[ " ${PARTS} " == *" cold "* ]]; then
    echo "**Cold near-cache, ${COLD_PINS} pins in Redis** (${IMPORT_LINE}; Redis used ${REDIS_MEMORY}). ${COLD_CONNECTIONS} connections; \"cached\": a set of ${WARM_SET} users the near-cache holds; \"misses\": users drawn at random from all ${COLD_PINS}:"
    echo
    cold_table "${TMP}/cold.tsv"
    echo
    echo "Added by a near-cache miss (medians, misses − cached): p50 $(added 4 "${TMP}/cold.tsv") ms, p99 $(added 6 "${TMP}/cold.tsv") ms$( ((PACE_MS > 0)) && echo " (at their own rates: the p99 is read at one pace, below)")."
    if ((PACE_MS > 0)); then
      echo
      echo "**The same at one pace**: ${PACED_CONNECTIONS} connections, each waiting ${PACE_MS} ms on average after every response (0 to $((2 * PACE_MS)) ms at random; benchmarks/directory/paced.lua), so both kinds run at about the same rate and meet the collector alike:"
      echo
      cold_table "${TMP}/cold-paced.tsv"
      echo
      echo "Added by a near-cache miss at one pace (medians, misses − cached): p50 $(added 4 "${TMP}/cold-paced.tsv") ms, p99 $(added 6 "${TMP}/cold-paced.tsv") ms."
    fi
    echo "Near-cache entries at the end: ${COLD_NEAR_CACHE}; lookup failures: ${COLD_WARMUP_FAILURES} during the warm-up, $((COLD_FAILURES - COLD_WARMUP_FAILURES)) during the measured runs; gateway resident memory: ${COLD_RSS}; GC: ${COLD_GC}."
    echo "A wrong region here is a pinned user whose lookup failed (over lookup_timeout, 25 ms) and who was therefore decided by country, as the failure policy says; every user of this set is pinned."
    echo
  fi
  if [[ -z "${HOMEPORT_JAVA_OPTS}" ]]; then
    echo "Homeport started as the README says (java -jar homeport.jar run --config gateway.yaml, workers: 1), no JVM options;"
  else
    echo "Homeport NOT started as the README says: JVM options ${HOMEPORT_JAVA_OPTS} (diagnosis);"
  fi
  echo "gateway on CPUs ${PROXY_CPUS}, nginx backends and redis-server on ${BACKEND_CPUS}, wrk (1 thread) on ${WRK_CPUS}."
  echo "Clients: benchmarks/peers/clients.tsv (v4)$([[ " ${PARTS} " != *" warm "* ]] || echo " or clients-v6.tsv (v6)") through X-Forwarded-For; every answer checked for its region (the user's pin, else the client's country)."
  echo "- $(redis-server --version | cut -d' ' -f1-3); $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2); java $(java -version 2>&1 | head -n 1 | cut -d'"' -f2); Homeport ${VERSION}; CPUs $(nproc); load average at start ${LOADAVG}"
  echo
  echo "<details><summary>every run</summary>"
  echo
  echo '```'
  [[ ! -f "${TMP}/warm.tsv" ]] || { echo "# warm: source round req/s p50 p99 mismatches non200 errors Redis-GETs/s cell"; cat "${TMP}/warm.tsv"; }
  [[ ! -f "${TMP}/cold.tsv" ]] || { echo "# cold: users round req/s p50 p90 p99 GETs/s GETs/request mismatches non200 errors"; cat "${TMP}/cold.tsv"; }
  [[ ! -s "${TMP}/cold-paced.tsv" ]] || { echo "# cold at one pace (${PACE_MS} ms, ${PACED_CONNECTIONS} connections): the same columns"; cat "${TMP}/cold-paced.tsv"; }
  echo '```'
  echo "</details>"
  echo
}

main() {
  LOADAVG="$(cut -d' ' -f1-3 /proc/loadavg)"
  STARTED="$(date -u '+%Y-%m-%d %H:%M UTC')"
  VERSION="$(git describe --always --dirty 2>/dev/null || echo unknown)" # as built when the run starts
  install_tools
  build
  local port
  for port in $(port_of file) $(port_of redis) $(admin_of file) $(admin_of redis) "${REDIS_PORT}" $(for r in "${REGIONS[@]}"; do backend_port "${r}"; done); do
    port_open "${port}" && die "127.0.0.1:${port} is already in use (set PORT_BASE)"
  done
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  start_backends
  start_redis
  [[ " ${PARTS} " != *" warm "* ]] || warm_part
  [[ " ${PARTS} " != *" cold "* ]] || cold_part
  report >"${TMP}/report.md"
  cat "${TMP}/report.md"
  if [[ -n "${RESULTS}" ]]; then
    cat "${TMP}/report.md" >>"${RESULTS}"
    log "appended to ${RESULTS}"
  fi
  FAILED=0
}

main "$@"
