# The search benchmark, sourced by bench/run.
#   1. loads a catalogue of BENCH_SEARCH_PLANS plans over two years through the real ingestion (one sync of a
#      generated feed), then VACUUM ANALYZE (what autovacuum would have done by the time traffic arrives);
#   2. restarts the service without providers (nothing but search runs) and drives it with wrk on loopback, with
#      the same threads/connections/duration for every scenario, each after a warm-up of the same shape:
#        trivial   the liveness probe (management interface of the same process): the ceiling
#        hot       one fixed window, answered from the near cache
#        uncached  a random window of one day to one week per request (never in a whole-answer cache):
#                  cut from the read model
#        mix       90% a popular set of 16 one-day windows, 10% random windows (BENCH_MIX_MISS)
#        large     one large answer (a month), cached, and the same bytes served by nginx
#      then restarts it with the read model and day slices off (events.search.read-model.enabled=false,
#      events.search.slices.enabled=false), so every random window is a query:
#        uncached-query    as uncached, each window its own query
#        diag-query-cN     the same with N connections (BENCH_DIAG_CONNECTIONS): the query's latency below saturation
#      and finally the rate limit's cost: hot with BENCH_RL_CONNECTIONS connections on a fresh service with the
#      limit on (as everywhere above: the production default), then on one with it off (rl-on, rl-off).
# Per scenario: requests/s, latency percentiles, errors, bytes per response, the service's and wrk's CPU, and
# which cache layer answered (from the service's metrics).
# shellcheck shell=bash

: "${BENCH_SEARCH_PLANS:=100000}"
: "${BENCH_SEARCH_HEAP:=512m}"
: "${BENCH_WRK_THREADS:=1}" "${BENCH_WRK_CONNECTIONS:=32}" "${BENCH_DURATION:=30}" "${BENCH_WARMUP:=10}"
: "${BENCH_HOT_WINDOW:=2026-06-01T00:00:00Z/2026-06-02T00:00:00Z}"
: "${BENCH_LARGE_WINDOW:=2026-06-01T00:00:00Z/2026-07-01T00:00:00Z}"
: "${BENCH_MIX_MISS:=0.1}"
: "${BENCH_DIAG_CONNECTIONS=1 4}"   # extra uncached runs at these connection counts (diagnostic, not the targets)

SEARCH_DB="${BENCH_DB_PREFIX}_search"
CLK_TCK=$(getconf CLK_TCK)

window_path() { echo "/search?starts_at=${1%/*}&ends_at=${1#*/}"; }

# User + system CPU ticks of processes (their own, not their children's); a process gone meanwhile counts 0.
proc_ticks() { local p t=0; for p in "$@"; do t=$(( t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0) )); done; echo "$t"; }
machine_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6}' /proc/stat; } # busy, idle

# Sums of the service's search cache counters: "near_hit near_miss redis_hit redis_miss database_load".
cache_counters() {
  curl -sf "http://127.0.0.1:$BENCH_MGMT_PORT/q/metrics" | awk '
    /^events_search_cache_total\{/ {
      layer = $0; sub(/.*layer="/, "", layer); sub(/".*/, "", layer)
      result = $0; sub(/.*result="/, "", result); sub(/".*/, "", result)
      c[layer "_" result] += $NF }
    END { printf "%.0f %.0f %.0f %.0f %.0f\n", c["near_hit"], c["near_miss"], c["redis_hit"], c["redis_miss"], c["database_load"] }'
}

# run_wrk NAME MODE URL SECONDS SEED OUT: one wrk run; its CPU time (children of the subshell) goes to OUT.times.
run_wrk() {
  local mode=$2 url=$3 seconds=$4 seed=$5 out=$6
  (
    export WRK_MODE=$mode WRK_SEED=$seed WRK_SPAN_START WRK_SPAN_DAYS=$BENCH_SPAN_DAYS WRK_HOT_START WRK_MIX_MISS=$BENCH_MIX_MISS
    wrk -t "$BENCH_WRK_THREADS" -c "$BENCH_WRK_CONNECTIONS" -d "${seconds}s" --timeout 5s --latency \
      -s "$BENCH_DIR/wrk/search.lua" "$url" >"$out" 2>&1 || true
    times >"$out.times"
  )
}

# scenario NAME MODE URL [PID...]: warm-up, then the measured run; appends a line to search.csv. The CPU of the
# serving processes (default: the service) is measured over the run.
scenario() {
  local name=$1 mode=$2 url=$3 out="$RESULTS/wrk-$1.txt"; shift 3
  local serving=("$@"); [ ${#serving[@]} -gt 0 ] || serving=("$SERVICE_PID")
  # Every run draws its own random windows: one scenario's answers must not be cached for another.
  SCENARIO_NO=$(( ${SCENARIO_NO:-0} + 1 ))
  local seed=$(( BENCH_SEED * 100 + 2 * SCENARIO_NO ))
  log "search: $name ($url), ${BENCH_WARMUP}s warm-up + ${BENCH_DURATION}s"
  [ "$BENCH_WARMUP" = 0 ] || run_wrk "$name" "$mode" "$url" "$BENCH_WARMUP" $((seed + 1)) "$WORK/warmup-$name.txt"
  local svc0 m0 c0 svc1 m1 c1
  svc0=$(proc_ticks "${serving[@]}"); m0=$(machine_ticks); c0=$(cache_counters)
  run_wrk "$name" "$mode" "$url" "$BENCH_DURATION" "$seed" "$out"
  svc1=$(proc_ticks "${serving[@]}"); m1=$(machine_ticks); c1=$(cache_counters)
  kill -0 "$SERVICE_PID" 2>/dev/null || die "the service died during $name"
  local result
  result=$(grep '^RESULT ' "$out" | sed 's/^RESULT //') || die "wrk gave no result for $name (see $out)"
  # wrk's CPU: the second line of `times` (children), "XmY.YYYs XmY.YYYs".
  local wrk_cpu
  wrk_cpu=$(awk 'NR == 2 { n = split($0, t, /[ms ]+/); s = 0; for (i = 1; i + 1 <= n; i += 2) if (t[i] != "") s += t[i] * 60 + t[i + 1]; print s }' "$out.times")
  awk -v name="$name" -v url="$url" -v r="$result" -v svc="$((svc1 - svc0))" -v tck="$CLK_TCK" -v wrkcpu="$wrk_cpu" \
      -v m0="$m0" -v m1="$m1" -v c0="$c0" -v c1="$c1" 'BEGIN {
    n = split(r, kv, " "); for (i = 1; i <= n; i++) { split(kv[i], p, "="); v[p[1]] = p[2] }
    secs = v["duration_us"] / 1e6
    split(m0, a, " "); split(m1, b, " "); busy = b[1] - a[1]; idle = b[2] - a[2]
    split(c0, x, " "); split(c1, y, " ")
    errors = v["connect"] + v["read"] + v["write"] + v["timeout"] + v["status"]
    printf "%s,%s,%.1f,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%d,%d,%d,%d,%d,%d,%.0f,%.0f,%.0f,%.0f,%d,%d,%d,%d,%d\n",
      name, url, v["requests"] / secs, v["requests"], v["p50"] / 1000, v["p90"] / 1000, v["p99"] / 1000,
      v["p999"] / 1000, v["max"] / 1000, errors, v["connect"], v["read"], v["write"], v["timeout"], v["status"],
      v["bytes"] / (v["requests"] > 0 ? v["requests"] : 1), 100 * svc / tck / secs, 100 * wrkcpu / secs,
      100 * busy / (busy + idle), y[1] - x[1], y[2] - x[2], y[3] - x[3], y[4] - x[4], y[5] - x[5] }' \
    >>"${SCENARIO_CSV:-$RESULTS/search.csv}"
  tail -n1 "${SCENARIO_CSV:-$RESULTS/search.csv}" | awk -F, '{printf "[bench]   %.0f req/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, %d errors\n", $3, $5, $7, $8, $10}' >&2
}

start_nginx() { # start_nginx FILE: serves FILE as /large.json on BENCH_NGINX_PORT
  local dir="$WORK/nginx"
  mkdir -p "$dir"
  cp "$1" "$dir/large.json"
  chmod 755 "$WORK" "$dir"; chmod 644 "$dir/large.json" # nginx workers may run as nobody
  port_free "$BENCH_NGINX_PORT" || die "port $BENCH_NGINX_PORT is taken (BENCH_NGINX_PORT)"
  cat >"$dir/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000000;
  server {
    listen 127.0.0.1:$BENCH_NGINX_PORT;
    location = /large.json { default_type application/json; alias $dir/large.json; }
  }
}
EOF
  "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" &
  NGINX_PID=$!
  track "$NGINX_PID"
  for _ in $(seq 1 40); do curl -sf -o /dev/null "http://127.0.0.1:$BENCH_NGINX_PORT/large.json" && return 0; sleep 0.25; done
  die "nginx did not start (see $dir/error.log)"
}

search_tables() {
  awk -F, -v threads="$BENCH_WRK_THREADS" -v conns="$BENCH_WRK_CONNECTIONS" -v secs="$BENCH_DURATION" \
      -v plans="$BENCH_SEARCH_PLANS" -v rlconns="$BENCH_RL_CONNECTIONS" "$RL_AWK"'NR > 1 { for (i = 1; i <= NF; i++) f[$1, i] = $i; names[++n] = $1 }
    END {
      print "### Search: wrk on loopback, " plans " plans over two years"
      print ""
      printf "Every scenario: `wrk -t%s -c%s -d%ss` after a warm-up of the same shape; latencies in ms.\n", threads, conns, secs
      print ""
      print "| Scenario | Req/s | p50 | p90 | p99 | p99.9 | max | Errors | KiB/resp | Redis lookups/req | DB queries/req | Server CPU % | wrk CPU % | Machine busy % |"
      print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
      for (k = 1; k <= n; k++) { s = names[k]
        if (s ~ /^(diag|rl)-/) continue
        req = f[s, 4] > 0 ? f[s, 4] : 1
        printf "| %s | %.0f | %.2f | %.2f | %.2f | %.2f | %.1f | %d | %.1f | %.2f | %.2f | %.0f | %.0f | %.0f |\n",
          s, f[s, 3], f[s, 5], f[s, 6], f[s, 7], f[s, 8], f[s, 9], f[s, 10], f[s, 16] / 1024,
          (f[s, 22] + f[s, 23]) / req, f[s, 24] / req, f[s, 17], f[s, 18], f[s, 19] }
      print ""
      t = f["trivial", 3]
      printf "**Ratios** (same run): cached search / trivial = **%.2f**; uncached / trivial = **%.2f**; mix / trivial = %.2f; uncached with the read model and day slices off / trivial = %.3f; large answer, search / nginx = **%.2f**.\n",
        f["hot", 3] / t, f["uncached", 3] / t, f["mix", 3] / t, f["uncached-query", 3] / t, f["large", 3] / f["nginx-large", 3]
      print ""
      errors = 0; for (k = 1; k <= n; k++) errors += f[names[k], 10]
      print "| Target (2 cores) | Measured | |"
      print "|---|---|---|"
      ok = f["hot", 3] >= 0.5 * t
      printf "| cached search >= 50%% of trivial RPS | %.0f%% | %s |\n", 100 * f["hot", 3] / t, ok ? "pass" : "**FAIL**"
      ok = f["hot", 7] < 10
      printf "| cached search p99 < 10 ms | %.2f ms | %s |\n", f["hot", 7], ok ? "pass" : "**FAIL**"
      ok = f["uncached", 7] < 50
      printf "| uncached windows p99 < 50 ms | %.2f ms | %s |\n", f["uncached", 7], ok ? "pass" : "**FAIL**"
      ok = f["uncached-query", 7] < 50
      printf "| the same with the read model and day slices off (each window a query) | %.2f ms | %s |\n", f["uncached-query", 7], ok ? "pass" : "**FAIL**"
      rl_aggregate()
      if (rl["rounds"] > 0) {
        ok = rl["on", "rps"] >= 0.9 * rl["off", "rps"]
        printf "| cached, rate limit on / off >= 0.9 (`-c%d`) | %.2f | %s |\n", rlconns, rl["on", "rps"] / rl["off", "rps"], ok ? "pass" : "**FAIL**"
        ok = rl["on", "p99"] - rl["off", "p99"] <= 1
        printf "| cached, rate limit on: p99 within 1 ms of off | %+.2f ms | %s |\n", rl["on", "p99"] - rl["off", "p99"], ok ? "pass" : "**FAIL**"
      }
      printf "| no errors | %d | %s |\n", errors, errors == 0 ? "pass" : "**FAIL**"
      diag = 0
      for (k = 1; k <= n; k++) { s = names[k]
        if (s !~ /^diag-/) continue
        if (!diag++) {
          print ""
          print "Diagnostic (not the targets'"'"' settings): random windows with the read model and day slices off (each a query) at lower concurrency, `-t" threads "`, same duration."
          print ""
          print "| Scenario | Req/s | p50 | p90 | p99 | p99.9 | max | Errors | KiB/resp | DB queries/req | Server CPU % | wrk CPU % | Machine busy % |"
          print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        }
        req = f[s, 4] > 0 ? f[s, 4] : 1
        printf "| %s | %.0f | %.2f | %.2f | %.2f | %.2f | %.1f | %d | %.1f | %.2f | %.0f | %.0f | %.0f |\n",
          s, f[s, 3], f[s, 5], f[s, 6], f[s, 7], f[s, 8], f[s, 9], f[s, 10], f[s, 16] / 1024,
          f[s, 24] / req, f[s, 17], f[s, 18], f[s, 19] }
    }' "$RESULTS/search.csv"
}

# --- The rate limit's cost: the cached answer with the limit on (the production default) and off, same run -------
: "${BENCH_RL_CONNECTIONS:=64}" "${BENCH_RL_ROUNDS:=3}"

# EVAL/EVALSHA calls Redis has served so far (the rate limit's only commands; the search cache uses none).
redis_evals() {
  redis-cli -p "$BENCH_REDIS_PORT" info commandstats | tr -d '\r' \
    | awk -F'[:=,]' '/^cmdstat_eval(sha)?:/ { s += $3 } END { print s + 0 }'
}

# bench_rate_limit_cost HOT_URL: BENCH_RL_ROUNDS rounds of the hot scenario with BENCH_RL_CONNECTIONS connections,
# each on a freshly started service with the limit on and on one with it off, in alternating order (the machine
# is shared: interleaving spreads its drift over both). Rows rl-on-N and rl-off-N; Redis EVALs per request of each
# (warm-up included) go to rate-limit.txt.
bench_rate_limit_cost() {
  local hot=$1 e0 e1 requests setting round order
  : >"$RESULTS/rate-limit.txt"
  for round in $(seq 1 "$BENCH_RL_ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then order="on off"; else order="off on"; fi
    for setting in $order; do
      local name="rl-$setting-$round" props=()
      [ "$setting" = off ] && props=(-Devents.rate-limit.enabled=false)
      start_service "$SEARCH_DB" "$WORK/search-service-$name.log" -Xms"$BENCH_SEARCH_HEAP" -Xmx"$BENCH_SEARCH_HEAP" -- \
        "${props[@]}"
      e0=$(redis_evals)
      BENCH_WRK_CONNECTIONS=$BENCH_RL_CONNECTIONS scenario "$name" fixed "$hot"
      e1=$(redis_evals)
      stop_service
      requests=$(cat "$WORK/warmup-$name.txt" "$RESULTS/wrk-$name.txt" | grep '^RESULT ' \
        | sed 's/.*requests=\([0-9]*\).*/\1/' | awk '{ s += $1 } END { print s + 0 }')
      echo "$name $((e1 - e0)) $requests" >>"$RESULTS/rate-limit.txt"
    done
  done
}

# Aggregates of the rl- rows, for awk programs reading search.csv into f[scenario, column] and names[1..n]: sets
# rl["on"|"off", "rps"] and rl[.., "p99"] (medians over the rounds: one round disturbed by other work on the machine
# moves a median less than a mean) and rl["rounds"].
RL_AWK='
  function rl_median(a, m,   i, j, t) {
    for (i = 2; i <= m; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
  }
  function rl_aggregate(   k, s, side, m, p, r, c) {
    delete rl
    for (k = 1; k <= n; k++) { s = names[k]
      if (s !~ /^rl-(on|off)-/) continue
      side = s; sub(/^rl-/, "", side); sub(/-.*/, "", side)
      c[side]++; r[side, c[side]] = f[s, 3]; p[side, c[side]] = f[s, 7] }
    for (side in c) {
      delete m; for (k = 1; k <= c[side]; k++) m[k] = r[side, k]
      rl[side, "rps"] = rl_median(m, c[side])
      delete m; for (k = 1; k <= c[side]; k++) m[k] = p[side, k]
      rl[side, "p99"] = rl_median(m, c[side]) }
    rl["rounds"] = c["on"] < c["off"] ? c["on"] : c["off"]
  }'

rate_limit_table() {
  [ -s "$RESULTS/rate-limit.txt" ] || return 0
  awk -F, -v conns="$BENCH_RL_CONNECTIONS" -v secs="$BENCH_DURATION" -v capacity="$BENCH_RATE_LIMIT_CAPACITY" "$RL_AWK"'
    FILENAME ~ /rate-limit.txt$/ { split($0, e, " "); evals[e[1]] = e[2]; total[e[1]] = e[3]; next }
    FNR > 1 { for (i = 1; i <= NF; i++) f[$1, i] = $i; names[++n] = $1 }
    END {
      rl_aggregate()
      print "### Rate limit: cost on the cached answer"
      print ""
      printf "The hot scenario with `-c%s -d%ss`, %d rounds, each on a freshly started service with the rate limit on (the production default: buckets shared through Redis, spent from local leases; capacity and refill %s so that wrk is never refused) and on one with it off, in alternating order.\n", conns, secs, rl["rounds"], capacity
      print ""
      print "| Run | Req/s | p50 | p90 | p99 | p99.9 | max | Errors | Redis EVALs/req | Server CPU % | Machine busy % |"
      print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
      for (k = 1; k <= n; k++) { s = names[k]
        if (s !~ /^rl-/) continue
        printf "| %s | %.0f | %.2f | %.2f | %.2f | %.2f | %.1f | %d | %.5f | %.0f | %.0f |\n", s, f[s, 3], f[s, 5],
          f[s, 6], f[s, 7], f[s, 8], f[s, 9], f[s, 10], evals[s] / (total[s] > 0 ? total[s] : 1), f[s, 17], f[s, 19] }
      print ""
      printf "**Rate limit on / off = %.2f** (median req/s %.0f / %.0f; target >= 0.9); p99 on - off = %+.2f ms (medians %.2f / %.2f ms; target <= 1 ms).\n",
        rl["on", "rps"] / rl["off", "rps"], rl["on", "rps"], rl["off", "rps"], rl["on", "p99"] - rl["off", "p99"], rl["on", "p99"], rl["off", "p99"]
    }' "$RESULTS/rate-limit.txt" "$RESULTS/search.csv"
}

# load_search_catalogue DIR: a catalogue of BENCH_SEARCH_PLANS plans in SEARCH_DB, through the real ingestion (one
# sync of a generated feed, then VACUUM ANALYZE). Sets IN_SCOPE (searchable plans).
load_search_catalogue() {
  local dir=$1
  make_template
  WRK_SPAN_START=$(date -u -d 2026-01-01T00:00:00Z +%s)
  WRK_HOT_START=$(date -u -d "${BENCH_HOT_WINDOW%/*}" +%s)

  # --- catalogue, through the real ingestion ------------------------------------------------------------------
  log "search: generating a catalogue of $BENCH_SEARCH_PLANS plans"
  generate_feed "$dir/feed.xml" "$BENCH_SEARCH_PLANS" 2>"$dir/generator.txt"
  create_db "$SEARCH_DB" "$TEMPLATE_DB"
  start_service "$SEARCH_DB" "$WORK/search-load.log" -Xmx"$BENCH_SEARCH_HEAP" -- \
    -Devents.providers.bench.url="file://$dir/feed.xml" -Devents.providers.bench.every=1h \
    -Devents.providers.bench.max-feed-size=64G
  local row
  row=$(wait_sync "$SEARCH_DB" 0 "${BENCH_SYNC_TIMEOUT:-7200}")
  stop_service
  [ "$(echo "$row" | cut -d'|' -f2)" = succeeded ] || die "loading the search catalogue failed: $row"
  log "search: loaded in $(echo "$row" | cut -d'|' -f3) ms; VACUUM ANALYZE"
  pq -d "$SEARCH_DB" -c "VACUUM ANALYZE"
  IN_SCOPE=$(pqv "$SEARCH_DB" "SELECT count(*) FROM plans p JOIN providers pr ON pr.id = p.provider_id AND p.last_seen_at = 'infinity' JOIN base_plans b USING (provider_id, base_plan_id) WHERE b.sell_mode = 'online'")
}

bench_search() {
  local dir="$WORK/search"
  mkdir -p "$dir"
  load_search_catalogue "$dir"
  local in_scope=$IN_SCOPE

  # --- the service, search only -------------------------------------------------------------------------------
  start_service "$SEARCH_DB" "$WORK/search-service.log" -Xms"$BENCH_SEARCH_HEAP" -Xmx"$BENCH_SEARCH_HEAP" --
  local base="http://127.0.0.1:$BENCH_HTTP_PORT" hot large
  hot="$base$(window_path "$BENCH_HOT_WINDOW")"
  large="$base$(window_path "$BENCH_LARGE_WINDOW")"
  curl -sf -o "$dir/hot.json" "$hot" || die "GET $hot failed"
  curl -sf -o "$dir/large.json" "$large" || die "GET $large failed"
  local hot_events large_events
  hot_events=$(grep -o '"id":' "$dir/hot.json" | wc -l); large_events=$(grep -o '"id":' "$dir/large.json" | wc -l)
  log "search: $in_scope plans searchable; hot answer $hot_events events ($(stat -c %s "$dir/hot.json") B), large $large_events events ($(stat -c %s "$dir/large.json") B)"
  start_nginx "$dir/large.json"

  echo "scenario,url,rps,requests,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,errors,err_connect,err_read,err_write,err_timeout,err_status,bytes_per_response,service_cpu_pct,wrk_cpu_pct,machine_busy_pct,near_hits,near_misses,redis_hits,redis_misses,db_loads" \
    >"$RESULTS/search.csv"
  scenario trivial fixed "http://127.0.0.1:$BENCH_MGMT_PORT/q/health/live"
  scenario hot fixed "$hot"
  scenario uncached random "$base/search"
  scenario mix mix "$base/search"
  scenario large fixed "$large"
  # shellcheck disable=SC2046 # nginx's master and its workers (its children), by pid
  scenario nginx-large fixed "http://127.0.0.1:$BENCH_NGINX_PORT/large.json" "$NGINX_PID" $(pgrep -P "$NGINX_PID")
  stop_service

  # The query path: read model and day slices off, so a window is a query whenever it is not cached whole.
  start_service "$SEARCH_DB" "$WORK/search-service-query.log" -Xms"$BENCH_SEARCH_HEAP" -Xmx"$BENCH_SEARCH_HEAP" -- \
    -Devents.search.slices.enabled=false -Devents.search.read-model.enabled=false
  scenario uncached-query random "$base/search"
  # Diagnostic: the query's latency below saturation (the run above is closed-loop at full load).
  local c
  for c in $BENCH_DIAG_CONNECTIONS; do
    BENCH_WRK_CONNECTIONS=$c scenario "diag-query-c$c" random "$base/search"
  done
  stop_service

  bench_rate_limit_cost "$hot"

  {
    search_tables
    echo
    rate_limit_table
    echo
    echo "Catalogue: $BENCH_SEARCH_PLANS plans generated, $in_scope searchable (online, in scope). Hot window $BENCH_HOT_WINDOW: $hot_events events, $(stat -c %s "$dir/hot.json") bytes. Large window $BENCH_LARGE_WINDOW: $large_events events, $(stat -c %s "$dir/large.json") bytes. Uncached: random windows of 1 to 7 days (uncached-query: the same with the read model and day slices off); mix: ${BENCH_MIX_MISS} of requests random, the rest over 16 one-day windows from ${BENCH_HOT_WINDOW%/*}."
  } >"$RESULTS/search.md"
  [ "$BENCH_KEEP" = 1 ] || drop_db "$SEARCH_DB"
}

# bench/run ratelimit: only the rate limit's cost (on / off, BENCH_RL_ROUNDS rounds) on the hot answer.
bench_rate_limit() {
  local dir="$WORK/search"
  mkdir -p "$dir"
  load_search_catalogue "$dir"
  local hot
  hot="http://127.0.0.1:$BENCH_HTTP_PORT$(window_path "$BENCH_HOT_WINDOW")"
  echo "scenario,url,rps,requests,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,errors,err_connect,err_read,err_write,err_timeout,err_status,bytes_per_response,service_cpu_pct,wrk_cpu_pct,machine_busy_pct,near_hits,near_misses,redis_hits,redis_misses,db_loads" \
    >"$RESULTS/search.csv"
  bench_rate_limit_cost "$hot"
  {
    rate_limit_table
    echo
    echo "Catalogue: $BENCH_SEARCH_PLANS plans generated, $IN_SCOPE searchable. Hot window $BENCH_HOT_WINDOW."
  } >"$RESULTS/search.md"
  [ "$BENCH_KEEP" = 1 ] || drop_db "$SEARCH_DB"
}
