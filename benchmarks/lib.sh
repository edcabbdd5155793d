# Shell helpers of the benchmark scripts (benchmarks/*/run.sh), sourced after they set BENCH_NAME:
# usage and --help from the script's header comment, a log, and the processes a script starts —
# each recorded by PID, stopped by PID on exit (Ctrl-C included), never any other process.
#
#   BENCH_NAME=peers
#   source "${SCRIPT_DIR}/../lib.sh"
#   bench_usage "$0" "$@"
#   bench_tmp          # sets TMP; cleaned up on exit unless KEEP_TMP=1 or the run failed (FAILED=1 until it ends)

# bench_usage SCRIPT ARGS...: --help prints SCRIPT's header comment; any argument is a usage error.
bench_usage() {
  local script="$1"
  shift
  if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
    sed -n '2,/^set -euo/p' "${script}" | sed '$d; s/^# \{0,1\}//'
    exit 0
  fi
  (( $# == 0 )) || { echo "usage: [VAR=value ...] ${script}   (settings are environment variables; ${script} --help)" >&2; exit 2; }
}

log() { printf '[%s %s] %s\n' "${BENCH_NAME}" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

declare -A PIDS=() # pid -> name: what this script started
FAILED=1

# bench_tmp: a private directory for configs and logs, and the exit trap that stops what was started.
bench_tmp() {
  TMP="$(mktemp -d "${TMPDIR:-/tmp}/homeport-${BENCH_NAME}.XXXXXX")"
  chmod 755 "${TMP}" # nginx workers run as nobody when started as root
  trap bench_cleanup EXIT
  trap 'log "interrupted"; exit 130' INT TERM
}

bench_cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${!PIDS[@]}"; do
    stop_pid "${pid}"
  done
  if [[ "${KEEP_TMP:-0}" == 1 || "${FAILED}" == 1 ]]; then
    log "configs and logs kept in ${TMP}"
  else
    rm -rf "${TMP}"
  fi
  exit "${rc}"
}

stop_pid() { # stop one process this script started (and the workers it forked, as nginx does), TERM then KILL
  local pid="$1" name="${PIDS[$1]:-}" children child i
  [[ -n "${name}" ]] || return 0 # not ours
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

start_bg() { # start_bg NAME LOGFILE COMMAND...: runs COMMAND in the background, records its PID in LAST_PID
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

field() { # field LINE NAME: the value of NAME=value in a result line
  tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
