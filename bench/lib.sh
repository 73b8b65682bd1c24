# Shared helpers of bench/run (sourced, not executed): settings, tools, build, databases, the service under test,
# a private Redis, measurements. Everything the benchmarks start is recorded in BENCH_PIDS and stopped on exit.
# shellcheck shell=bash

# --- Settings (environment overrides; see bench/run for the list) ----------------------------------------------
: "${PGHOST:=127.0.0.1}" "${PGPORT:=5432}" "${PGUSER:=postgres}"
export PGHOST PGPORT PGUSER
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
: "${BENCH_DB_PREFIX:=event_search_bench}"
: "${BENCH_HTTP_PORT:=18080}" "${BENCH_MGMT_PORT:=19000}" "${BENCH_NGINX_PORT:=18081}" "${BENCH_REDIS_PORT:=16379}"
: "${BENCH_SKIP_BUILD:=0}" "${BENCH_KEEP:=0}"
: "${BENCH_RATE_LIMIT_CAPACITY:=1000000}"
: "${BENCH_SEED:=42}" "${BENCH_PLANS_PER_BASE:=10}" "${BENCH_ZONES:=10}" "${BENCH_DIRTY:=0.01}" "${BENCH_SPAN_DAYS:=730}"

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
JAR="$REPO_DIR/target/quarkus-app/quarkus-run.jar"
BENCH_PIDS=()
BENCH_DBS=()
SERVICE_PID=""

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- Processes ---------------------------------------------------------------------------------------------------
# Stops what this run started (by pid, never by name), then drops its databases and removes the scratch directory,
# unless BENCH_KEEP=1.
bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  # Databases this run created (the template included) go too, whether the run succeeded or not.
  if [ "$BENCH_KEEP" != 1 ]; then
    local db
    for db in "${BENCH_DBS[@]}"; do drop_db "$db" 2>/dev/null || true; done
  fi
  if [ -n "${WORK:-}" ] && [ -d "$WORK" ]; then
    if [ "$BENCH_KEEP" = 1 ]; then log "scratch files kept in $WORK"; else rm -rf "$WORK"; fi
  fi
}

track() { BENCH_PIDS+=("$1"); }

stop_pid() { # stop_pid PID [seconds]: TERM, wait, then KILL
  local pid=$1 limit=${2:-60}
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((limit * 5))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  log "pid $pid did not stop in ${limit}s: killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- Tools and build ---------------------------------------------------------------------------------------------
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root to run: $*"; fi
}

ensure_tools() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v psql >/dev/null || missing+=(postgresql-client)
  command -v curl >/dev/null || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then
    command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
    log "installing ${missing[*]} (Debian packages)"
    as_root apt-get update -qq
    # policy-rc.d-less containers may try to start nginx after install: it is not needed, we run our own.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  command -v java >/dev/null || die "java (17+) is needed"
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  # PostgreSQL must be up on loopback (bin/services starts a stopped local cluster).
  "$REPO_DIR/bin/services" ensure --no-redis
}

# Builds the fast-jar and the test classes (the feed generator) when sources changed since the last build.
build() {
  local gen="$REPO_DIR/target/test-classes/io/eventsearch/tools/FeedGenerator.class"
  if [ "$BENCH_SKIP_BUILD" = 1 ] && [ -f "$JAR" ] && [ -f "$gen" ]; then return 0; fi
  if [ ! -f "$JAR" ] || [ ! -f "$gen" ] \
     || [ -n "$(cd "$REPO_DIR" && find src pom.xml openapi.yaml -newer "$JAR" -print -quit)" ]; then
    log "building (./mvnw package -DskipTests: jar and test classes)"
    (cd "$REPO_DIR" && ./mvnw -B -q package -DskipTests)
    touch "$JAR"
  fi
}

# generate_feed OUT PLANS [COPY_DIR [GENERATOR_OPTIONS...]]: N plans = N/plans-per-base base plans; COPY_DIR may be
# empty (no rows written); further options go to the generator (e.g. --change-every 100).
generate_feed() {
  local out=$1 plans=$2 copy_dir=${3:-}
  shift 2; [ $# -gt 0 ] && shift
  local base=$(( plans / BENCH_PLANS_PER_BASE ))
  local args=(--base-plans "$base" --plans "$BENCH_PLANS_PER_BASE" --zones "$BENCH_ZONES" --seed "$BENCH_SEED"
              --dirty "$BENCH_DIRTY" --span-days "$BENCH_SPAN_DAYS" --out "$out")
  [ -n "$copy_dir" ] && args+=(--copy-dir "$copy_dir")
  args+=("$@")
  java -cp "$REPO_DIR/target/test-classes" io.eventsearch.tools.FeedGenerator "${args[@]}"
}

# --- PostgreSQL --------------------------------------------------------------------------------------------------
pq() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
pqv() { local db=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -At -d "$db" -c "$*"; }

check_db_name() { case "$1" in "$BENCH_DB_PREFIX"*) ;; *) die "refusing to touch database $1" ;; esac
  case "$BENCH_DB_PREFIX" in event_search_bench*) ;; *) die "BENCH_DB_PREFIX must start with event_search_bench" ;; esac; }

drop_db() { check_db_name "$1"; pqv postgres "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)"; }

create_db() { # create_db NAME [TEMPLATE]
  check_db_name "$1"; drop_db "$1"
  BENCH_DBS+=("$1")
  if [ -n "${2:-}" ]; then pqv postgres "CREATE DATABASE \"$1\" TEMPLATE \"$2\""; else pqv postgres "CREATE DATABASE \"$1\""; fi
}

# --- Private Redis -----------------------------------------------------------------------------------------------
# The service's shared cache layer, on its own port with a memory bound: the uncached scenarios write an answer per
# request, which must not fill (or be flushed from) the Redis other work on this machine uses.
start_redis() {
  if redis-cli -p "$BENCH_REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
    log "Redis already answers on $BENCH_REDIS_PORT: using it"; return 0
  fi
  redis-server --port "$BENCH_REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --maxmemory 512mb \
    --maxmemory-policy allkeys-lru --logfile "$WORK/redis.log" --daemonize no &
  track $!
  for _ in $(seq 1 40); do redis-cli -p "$BENCH_REDIS_PORT" ping 2>/dev/null | grep -q PONG && return 0; sleep 0.25; done
  die "Redis did not start on $BENCH_REDIS_PORT"
}

# --- The service under test --------------------------------------------------------------------------------------
# start_service DB LOG JVM_OPTS... -- SYSTEM_PROPERTIES...: starts the packaged jar on the bench ports against DB and
# waits for liveness. Sets SERVICE_PID.
start_service() {
  local db=$1 logfile=$2; shift 2
  local jvm=() props=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do jvm+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  props=("$@")
  port_free "$BENCH_HTTP_PORT" || die "port $BENCH_HTTP_PORT is taken (BENCH_HTTP_PORT)"
  port_free "$BENCH_MGMT_PORT" || die "port $BENCH_MGMT_PORT is taken (BENCH_MGMT_PORT)"
  # Production defaults: the rate limit is on and shares its buckets through Redis. Only its capacity and refill
  # are raised (BENCH_RATE_LIMIT_CAPACITY per second too), so that wrk, one client, is never refused: every search
  # request still goes through the limiter. -Devents.rate-limit.enabled=false in PROPS turns it off for one start.
  # The prod profile will not start without an operator password (the operator actions are not benchmarked).
  # BENCH_JVM_EXTRA: extra JVM options, word-split (a profiler agent, GC logging).
  # shellcheck disable=SC2086
  EVENTS_OPERATOR_PASSWORD="${EVENTS_OPERATOR_PASSWORD:-bench-operator}" \
  EVENTS_RATE_LIMIT_ENABLED=true EVENTS_RATE_LIMIT_REDIS=true \
  EVENTS_RATE_LIMIT_CAPACITY="$BENCH_RATE_LIMIT_CAPACITY" EVENTS_RATE_LIMIT_REFILL_PER_SECOND="$BENCH_RATE_LIMIT_CAPACITY" \
  java "${jvm[@]}" ${BENCH_JVM_EXTRA:-} \
    -Dquarkus.http.port="$BENCH_HTTP_PORT" -Dquarkus.management.port="$BENCH_MGMT_PORT" \
    -Dquarkus.datasource.jdbc.url="jdbc:postgresql://$PGHOST:$PGPORT/$db" \
    -Dquarkus.datasource.reactive.url="postgresql://$PGHOST:$PGPORT/$db" \
    -Dquarkus.datasource.username="$PGUSER" \
    -Dquarkus.redis.hosts="redis://127.0.0.1:$BENCH_REDIS_PORT" \
    -Dquarkus.log.console.json.enabled=false \
    "${props[@]}" -jar "$JAR" >"$logfile" 2>&1 &
  SERVICE_PID=$!
  track "$SERVICE_PID"
  for _ in $(seq 1 240); do
    if ! kill -0 "$SERVICE_PID" 2>/dev/null; then tail -n 40 "$logfile" >&2; die "the service exited at start-up"; fi
    curl -sf -o /dev/null "http://127.0.0.1:$BENCH_MGMT_PORT/q/health/live" && return 0
    sleep 0.5
  done
  tail -n 40 "$logfile" >&2; die "the service did not become live"
}

stop_service() { [ -n "$SERVICE_PID" ] && stop_pid "$SERVICE_PID" 60; SERVICE_PID=""; }

# Creates (once per run) a database migrated by the service itself: the template of every other bench database.
TEMPLATE_DB="${BENCH_DB_PREFIX}_tpl"
make_template() {
  [ -n "${TEMPLATE_READY:-}" ] && return 0
  log "migrating template database $TEMPLATE_DB (Flyway, by the service)"
  create_db "$TEMPLATE_DB"
  start_service "$TEMPLATE_DB" "$WORK/template.log" -Xmx256m --
  stop_service
  TEMPLATE_READY=1
}

# Waits for the next finished sync run after id $2 in database $1; prints "id|outcome|duration_ms".
wait_sync() {
  local db=$1 after=$2 limit=${3:-7200} row
  for _ in $(seq 1 $((limit * 2))); do
    row=$(pqv "$db" "SELECT id, outcome, coalesce(duration_ms, 0) FROM sync_runs WHERE id > $after AND outcome <> 'running' ORDER BY id LIMIT 1" 2>/dev/null || true)
    if [ -n "$row" ]; then echo "$row"; return 0; fi
    kill -0 "$SERVICE_PID" 2>/dev/null || die "the service died during the sync"
    sleep 0.5
  done
  die "no sync finished within ${limit}s"
}

last_run_id() { pqv "$1" "SELECT coalesce(max(id), 0) FROM sync_runs" 2>/dev/null || echo 0; }

# --- Measurements -----------------------------------------------------------------------------------------------
# Peak resident set of a live process, in KiB (VmHWM: the kernel's high-water mark over the process's life).
peak_rss_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# Heap used now, in bytes, from the service's Prometheus metrics.
heap_used_now() {
  curl -sf "http://127.0.0.1:$BENCH_MGMT_PORT/q/metrics" \
    | awk '/^jvm_memory_used_bytes\{.*area="heap"/ {s += $NF} END {printf "%.0f\n", s}'
}

# From a unified GC log: "peak_before_gc_bytes max_after_gc_bytes committed_bytes gc_count" over the whole log.
# Only collections that evacuate (young, mixed, full) count for "after": a Remark or Cleanup pause of a concurrent
# cycle prints the heap in use at that moment (young objects included) as its before and after, not a live set.
gc_log_summary() {
  awk '
    function bytes(v, u) { return v * (u == "K" ? 1024 : u == "M" ? 1048576 : u == "G" ? 1073741824 : 1) }
    /Pause (Young|Full)/ && match($0, /[0-9]+[KMG]->[0-9]+[KMG]\([0-9]+[KMG]\)/) {
      s = substr($0, RSTART, RLENGTH); gsub(/->|\(|\)/, " ", s); split(s, a, " ")
      b = bytes(a[1] + 0, substr(a[1], length(a[1]))); f = bytes(a[2] + 0, substr(a[2], length(a[2])))
      c = bytes(a[3] + 0, substr(a[3], length(a[3])))
      if (b > before) before = b; if (f > after) after = f; if (c > committed) committed = c; n++
    }
    END { printf "%.0f %.0f %.0f %d\n", before, after, committed, n }' "$1"
}

# Per-table write counters of the catalogue tables: "table ins upd hot_upd del" lines (plans' partitions summed).
table_writes() {
  pqv "$1" "SELECT CASE WHEN relname LIKE 'plans%' THEN 'plans' ELSE relname END AS t,
                   sum(n_tup_ins), sum(n_tup_upd), sum(n_tup_hot_upd), sum(n_tup_del)
            FROM pg_stat_user_tables
            WHERE schemaname = 'public' AND (relname IN ('base_plans', 'zones') OR relname LIKE 'plans%')
            GROUP BY 1 ORDER BY 1" | tr '|' ' '
}

# writes_delta BEFORE_FILE AFTER_FILE: "ins upd del detail": sums over the catalogue tables, then per table
# "+inserted/~updated (HOT updates)/-deleted".
writes_delta() {
  awk 'NR == FNR { i[$1] = $2; u[$1] = $3; h[$1] = $4; d[$1] = $5; next }
       { di = $2 - i[$1]; du = $3 - u[$1]; dh = $4 - h[$1]; dd = $5 - d[$1]; ti += di; tu += du; td += dd
         detail = detail sprintf("%s +%d/~%d (HOT %d)/-%d; ", $1, di, du, dh, dd) }
       END { printf "%d %d %d %s\n", ti, tu, td, detail }' "$1" "$2"
}

fmt_int() { LC_ALL=C printf "%'d" "$1" 2>/dev/null || printf '%d' "$1"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }

# A description of this machine and its software, as markdown.
machine_description() {
  local cpu cores mem
  cpu=$(awk -F: '/^model name/ {sub(/^ +/, "", $2); print $2; exit}' /proc/cpuinfo)
  cores=$(nproc)
  mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
  cat <<EOF
| | |
|---|---|
| Date | $(date -u +%Y-%m-%dT%H:%M:%SZ) |
| CPU | ${cpu:-unknown} |
| Cores (online to this run) | $cores |
| RAM | $mem |
| Kernel | $(uname -sr) |
| JDK | $(java -version 2>&1 | head -n1) |
| PostgreSQL | $(pqv postgres "SHOW server_version") (shared_buffers $(pqv postgres "SHOW shared_buffers"), max_wal_size $(pqv postgres "SHOW max_wal_size"), synchronous_commit $(pqv postgres "SHOW synchronous_commit")) |
| Redis | $(redis-server --version | awk '{print $3}' | sed 's/v=//') (private instance on port $BENCH_REDIS_PORT) |
| wrk / nginx | $(wrk -v 2>&1 | awk 'NR == 1 {print $2}') / $("${NGINX:-nginx}" -v 2>&1 | sed 's/.*nginx\///') |
| Load average at start | $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: figures are compared as ratios within one run) |
| Service commit | $(git -C "$REPO_DIR" rev-parse --short HEAD)$(git -C "$REPO_DIR" diff --quiet HEAD -- src pom.xml || echo ' (with uncommitted changes)') |
EOF
}
