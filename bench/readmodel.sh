# The read-model benchmark, sourced by bench/run (`bench/run readmodel`, or part of `bench/run`). On one catalogue of
# BENCH_SEARCH_PLANS plans over two years, loaded through the real ingestion, with the service's production
# defaults (read model on, Redis on) and search only, in one run:
#   cold      random 1-14-day windows at once after a restart (readiness UP means the model is loaded): no warm-up
#   trivial   the liveness probe of the same process: the ceiling of the server
#   hot       one fixed one-week window, and nginx-hot: the same bytes from a file served by nginx
#   short     random 1-14-day windows
#   long      random 1-4-month windows (v1 answers any window in one body)
#   v2        random v2 first pages, limit 100, with a price bound, both, or include=zones
#   syncing   random 1-14-day windows while a second instance syncs a feed that changes 1% of its plans (a price
#             each) every BENCH_SYNC_EVERY; the measured instance learns of each version by notification and reads
#             its change set. Freshness lag: from the moment the database shows a version to the moment the
#             measured instance answers with it, polled every ~30 ms
# Memory: the model's own estimate (readiness details) and the heap after a full GC, with the model loaded.
# shellcheck shell=bash

: "${BENCH_SYNC_EVERY:=5s}"
: "${BENCH_READMODEL_CONNECTIONS:=64}"   # wrk connections of every read-model scenario (the targets are set at 64)
: "${BENCH_HOT_WEEK:=2026-06-01T00:00:00Z/2026-06-08T00:00:00Z}"

READ_DB="${BENCH_DB_PREFIX}_readmodel"

# A variant of the feed in which one plan in a hundred has another first price: 1% of the plans change between two
# variants (the same plans each time, with another price).
feed_variant() { # feed_variant IN OUT ROUND
  awk -v round="$3" '
    /<plan / { n++; change = (n % 100 == 0) }
    change && /price="[0-9]/ { sub(/price="[0-9.]+"/, sprintf("price=\"%d.%02d\"", 100 + round, round % 100)); change = 0 }
    { print }' "$1" >"$2"
}

await_ready() { # await_ready MGMT_PORT
  for _ in $(seq 1 600); do
    curl -sf -o /dev/null "http://127.0.0.1:$1/q/health/ready" && return 0
    sleep 0.5
  done
  die "the service on management port $1 did not become ready"
}

# Heap in use after a full collection (the live set: the read model and everything else), in bytes.
heap_after_gc() { # heap_after_gc PID
  jcmd "$1" GC.run >/dev/null 2>&1 || true
  sleep 1
  heap_used_now
}

# Polls the database's data version and the instance's (a v2 page of one event) until SECONDS pass; prints one
# "version commit_ms visible_ms" line per version the database moved to.
freshness_probe() { # freshness_probe DB HTTP_PORT SECONDS OUT
  local db=$1 port=$2 until=$(( $(date +%s) + $3 )) out=$4 dbv av now last_db="" last_a=""
  : >"$out.db"; : >"$out.instance"
  while [ "$(date +%s)" -lt "$until" ]; do
    now=$(date +%s%3N)
    dbv=$(pqv "$db" "SELECT data_version FROM catalogue_state")
    av=$(curl -sf "http://127.0.0.1:$port/v2/search?starts_at=2026-01-01T00:00:00Z&ends_at=2026-01-02T00:00:00Z&limit=1" \
      | grep -o '"data_version":[0-9]*' | cut -d: -f2)
    [ "$dbv" != "$last_db" ] && { echo "$dbv $now" >>"$out.db"; last_db=$dbv; }
    [ -n "$av" ] && [ "$av" != "$last_a" ] && { echo "$av $(date +%s%3N)" >>"$out.instance"; last_a=$av; }
    sleep 0.02
  done
  # a version the instance skipped (two commits between polls) is visible when a later one is
  awk 'NR == FNR { seen[$1] = $2; next } { for (v in seen) if (v + 0 >= $1 + 0 && (!($1 in first) || seen[v] < first[$1])) first[$1] = seen[v] }
       END { for (v in first) print v, first[v] }' "$out.instance" "$out.db" | sort -n >"$out.visible"
  join <(sort "$out.db") <(sort "$out.visible") | sort -n | awk '{ print $1, $2, $3 }' >"$out"
}

bench_read_model() {
  local BENCH_WRK_CONNECTIONS=$BENCH_READMODEL_CONNECTIONS # seen by scenario and run_wrk
  make_template
  local dir="$WORK/readmodel"
  mkdir -p "$dir"
  WRK_SPAN_START=$(date -u -d 2026-01-01T00:00:00Z +%s)
  WRK_HOT_START=$(date -u -d "${BENCH_HOT_WEEK%/*}" +%s)
  export WRK_MIN_MINUTES WRK_MAX_MINUTES

  log "read model: generating a catalogue of $BENCH_SEARCH_PLANS plans"
  generate_feed "$dir/feed.xml" "$BENCH_SEARCH_PLANS" 2>"$dir/generator.txt"
  create_db "$READ_DB" "$TEMPLATE_DB"
  start_service "$READ_DB" "$WORK/readmodel-load.log" -Xmx"$BENCH_SEARCH_HEAP" -- \
    -Devents.providers.bench.url="file://$dir/feed.xml" -Devents.providers.bench.every=1h \
    -Devents.providers.bench.max-feed-size=64G
  local row
  row=$(wait_sync "$READ_DB" 0 "${BENCH_SYNC_TIMEOUT:-7200}")
  stop_service
  [ "$(echo "$row" | cut -d'|' -f2)" = succeeded ] || die "loading the catalogue failed: $row"
  pq -d "$READ_DB" -c "VACUUM ANALYZE"

  SCENARIO_CSV="$RESULTS/readmodel.csv"
  echo "scenario,url,rps,requests,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,errors,err_connect,err_read,err_write,err_timeout,err_status,bytes_per_response,service_cpu_pct,wrk_cpu_pct,machine_busy_pct,near_hits,near_misses,redis_hits,redis_misses,db_loads" \
    >"$SCENARIO_CSV"
  local base="http://127.0.0.1:$BENCH_HTTP_PORT" hot started ready_ms
  hot="$base$(window_path "$BENCH_HOT_WEEK")"

  # --- cold start: the first requests after readiness ----------------------------------------------------------
  started=$(date +%s%3N)
  start_service "$READ_DB" "$WORK/readmodel-service.log" -Xms"$BENCH_SEARCH_HEAP" -Xmx"$BENCH_SEARCH_HEAP" --
  await_ready "$BENCH_MGMT_PORT"
  ready_ms=$(( $(date +%s%3N) - started ))
  WRK_MIN_MINUTES=1440 WRK_MAX_MINUTES=20160
  BENCH_WARMUP=0 scenario cold random "$base/search"

  # --- memory with the model loaded ---------------------------------------------------------------------------
  local health plans model_bytes per_plan heap
  health=$(curl -sf "http://127.0.0.1:$BENCH_MGMT_PORT/q/health/ready")
  plans=$(echo "$health" | grep -o '"plans": *[0-9]*' | grep -o '[0-9]*$')
  model_bytes=$(echo "$health" | grep -o '"bytes": *[0-9]*' | grep -o '[0-9]*$')
  per_plan=$(echo "$health" | grep -o '"bytes_per_plan": *[0-9]*' | grep -o '[0-9]*$')
  heap=$(heap_after_gc "$SERVICE_PID")

  # --- every shape ---------------------------------------------------------------------------------------------
  curl -sf -o "$dir/hot.json" "$hot" || die "GET $hot failed"
  local hot_events hot_bytes
  hot_events=$(grep -o '"id":' "$dir/hot.json" | wc -l); hot_bytes=$(stat -c %s "$dir/hot.json")
  start_nginx "$dir/hot.json"
  scenario trivial fixed "http://127.0.0.1:$BENCH_MGMT_PORT/q/health/live"
  scenario hot fixed "$hot"
  # shellcheck disable=SC2046 # nginx's master and its workers (its children), by pid
  scenario nginx-hot fixed "http://127.0.0.1:$BENCH_NGINX_PORT/large.json" "$NGINX_PID" $(pgrep -P "$NGINX_PID")
  WRK_MIN_MINUTES=1440 WRK_MAX_MINUTES=20160
  scenario short random "$base/search"
  WRK_MIN_MINUTES=43200 WRK_MAX_MINUTES=172800
  scenario long random "$base/search"
  WRK_MIN_MINUTES=1440 WRK_MAX_MINUTES=86400
  scenario v2 v2 "$base/v2/search"

  # --- while a second instance syncs a changing feed ---------------------------------------------------------
  local round
  for round in 1 2 3 4 5 6; do feed_variant "$dir/feed.xml" "$dir/feed-$round.xml" "$round"; done
  cp "$dir/feed.xml" "$dir/feed-live.xml"
  local measured=$SERVICE_PID syncing_pid
  BENCH_HTTP_PORT=$((BENCH_HTTP_PORT + 2)) BENCH_MGMT_PORT=$((BENCH_MGMT_PORT + 2)) \
    start_service "$READ_DB" "$WORK/readmodel-syncer.log" -Xmx"$BENCH_SEARCH_HEAP" -- \
    -Devents.providers.bench.url="file://$dir/feed-live.xml" -Devents.providers.bench.every="$BENCH_SYNC_EVERY" \
    -Devents.providers.bench.max-feed-size=64G -Devents.instance-id=bench-syncer
  syncing_pid=$SERVICE_PID
  SERVICE_PID=$measured
  local seconds=$(( BENCH_DURATION + BENCH_WARMUP + 10 ))
  ( r=0; end=$(( $(date +%s) + seconds )); while [ "$(date +%s)" -lt "$end" ]; do
      r=$(( r % 6 + 1 )); cp "$dir/feed-$r.xml" "$dir/feed-next.xml"; mv "$dir/feed-next.xml" "$dir/feed-live.xml"; sleep 5
    done ) &
  local rotator=$!
  track "$rotator"
  freshness_probe "$READ_DB" "$BENCH_HTTP_PORT" "$seconds" "$dir/freshness" &
  local probe=$!
  WRK_MIN_MINUTES=1440 WRK_MAX_MINUTES=20160
  scenario syncing random "$base/search"
  wait "$probe" || true
  wait "$rotator" 2>/dev/null || true
  stop_pid "$syncing_pid" 60
  local syncs changed
  syncs=$(pqv "$READ_DB" "SELECT count(*) FROM sync_runs WHERE instance_id = 'bench-syncer' AND outcome = 'succeeded'")
  changed=$(pqv "$READ_DB" "SELECT coalesce(round(avg(plans_updated)), 0) FROM sync_runs WHERE instance_id = 'bench-syncer' AND outcome = 'succeeded' AND plans_updated > 0")
  stop_service

  readmodel_tables "$plans" "$model_bytes" "$per_plan" "$heap" "$ready_ms" "$hot_events" "$hot_bytes" "$syncs" "$changed" \
    "$dir/freshness" >"$RESULTS/readmodel.md"
  [ "$BENCH_KEEP" = 1 ] || drop_db "$READ_DB"
}

readmodel_tables() {
  local plans=$1 model_bytes=$2 per_plan=$3 heap=$4 ready_ms=$5 hot_events=$6 hot_bytes=$7 syncs=$8 changed=$9 fresh=${10}
  echo "### Read model: every query shape, $BENCH_SEARCH_PLANS plans over two years"
  echo
  echo "Production defaults (read model on, Redis on), search only, \`-Xmx$BENCH_SEARCH_HEAP\`; every scenario \`wrk -t$BENCH_WRK_THREADS -c$BENCH_WRK_CONNECTIONS -d${BENCH_DURATION}s\` after a ${BENCH_WARMUP}s warm-up of the same shape (cold: none); latencies in ms."
  echo
  echo "| Scenario | Req/s | p50 | p90 | p99 | p99.9 | max | Errors | KiB/resp | Server CPU % | wrk CPU % | Machine busy % |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F, 'NR > 1 { printf "| %s | %.0f | %.2f | %.2f | %.2f | %.2f | %.1f | %d | %.1f | %.0f | %.0f | %.0f |\n",
      $1, $3, $5, $6, $7, $8, $9, $10, $16 / 1024, $17, $18, $19 }' "$SCENARIO_CSV"
  echo
  awk -F, -v he="$hot_events" -v hb="$hot_bytes" 'NR > 1 { for (i = 1; i <= NF; i++) f[$1, i] = $i }
    END {
      per_event = hb / he
      hot_eps = f["hot", 3] * he; long_eps = f["long", 3] * (f["long", 16] / per_event)
      printf "**Ratios** (same run): hot / nginx with the same bytes = **%.2f**; 1-4-month windows, events/s / the hot answer'"'"'s = **%.2f**; v2 pages / trivial route = **%.2f**.\n\n",
        f["hot", 3] / f["nginx-hot", 3], long_eps / hot_eps, f["v2", 3] / f["trivial", 3]
      print "| Target (2 cores) | Measured | |"
      print "|---|---|---|"
      printf "| 1-4-month windows >= 0.5x the events/s of the hot answer | %.2f | %s |\n", long_eps / hot_eps, long_eps >= 0.5 * hot_eps ? "pass" : "**FAIL**"
      printf "| v2 pages p99 < 20 ms | %.2f ms | %s |\n", f["v2", 7], f["v2", 7] < 20 ? "pass" : "**FAIL**"
      printf "| v2 pages >= 0.3x the trivial route | %.2f | %s |\n", f["v2", 3] / f["trivial", 3], f["v2", 3] >= 0.3 * f["trivial", 3] ? "pass" : "**FAIL**"
      printf "| short windows p99 < 20 ms from a cold start | %.2f ms | %s |\n", f["cold", 7], f["cold", 7] < 20 ? "pass" : "**FAIL**"
      printf "| short windows p99 < 20 ms while syncs run | %.2f ms | %s |\n", f["syncing", 7], f["syncing", 7] < 20 ? "pass" : "**FAIL**"
      printf "| hot answer >= 0.7x nginx with the same bytes | %.2f | %s |\n", f["hot", 3] / f["nginx-hot", 3], f["hot", 3] >= 0.7 * f["nginx-hot", 3] ? "pass" : "**FAIL**"
    }' "$SCENARIO_CSV"
  if [ -s "$fresh" ]; then
    awk '{ print $3 - $2 }' "$fresh" | sort -n | awk '{ l[++n] = $1 } END {
      printf "| freshness lag < 1 s on another instance | median %d ms, max %d ms over %d versions | %s |\n",
        l[int((n + 1) / 2)], l[n], n, l[n] < 1000 ? "pass" : "**FAIL**" }' 
  else
    echo "| freshness lag < 1 s on another instance | no version observed | **FAIL** |"
  fi
  echo
  echo "Model: $plans plans visible, $(mib "${model_bytes:-0}") MiB estimated by the model ($per_plan bytes per plan); heap after a full GC with the model loaded: $(mib "${heap:-0}") MiB. Ready (model loaded) $ready_ms ms after the process started. During 'syncing': $syncs syncs of the second instance, $changed plans changed per sync on average. Hot answer: $hot_events events, $hot_bytes bytes."
}

# The model's memory at each size of BENCH_MODEL_SIZES (plans), with no load: each catalogue loaded through the real
# ingestion, then a fresh service with a budget (BENCH_MODEL_BUDGET) and heap (BENCH_MODEL_HEAP) that fit the largest
# one; prints plans, the model's own estimate, bytes per plan, the heap after a full GC with the model loaded and the
# time from the process's start to readiness (model loaded and warmed up).
: "${BENCH_MODEL_SIZES:=100000 1000000}"
: "${BENCH_MODEL_HEAP:=3g}"
: "${BENCH_MODEL_BUDGET:=1600M}"

bench_read_model_memory() {
  make_template
  local dir="$WORK/model-memory" n
  mkdir -p "$dir"
  {
    echo "### Read model: memory at scale"
    echo
    echo "Each catalogue loaded through the real ingestion, then a fresh service (\`-Xmx$BENCH_MODEL_HEAP\`, \`events.search.read-model.max-size=$BENCH_MODEL_BUDGET\`) with no load; heap after a full GC with the model loaded."
    echo
    echo "| Plans in the feed | Plans in the model | Model (estimate) | Bytes per plan | Heap after GC | Ready after |"
    echo "|---:|---:|---:|---:|---:|---:|"
  } >"$RESULTS/model-memory.md"
  for n in $BENCH_MODEL_SIZES; do
    local db="${BENCH_DB_PREFIX}_model_$n"
    log "model memory: a catalogue of $n plans"
    generate_feed "$dir/feed-$n.xml" "$n" 2>/dev/null
    create_db "$db" "$TEMPLATE_DB"
    start_service "$db" "$WORK/model-load-$n.log" -Xmx"$BENCH_MODEL_HEAP" -- \
      -Devents.providers.bench.url="file://$dir/feed-$n.xml" -Devents.providers.bench.every=1h \
      -Devents.providers.bench.max-feed-size=64G -Devents.search.read-model.enabled=false
    local row
    row=$(wait_sync "$db" 0 "${BENCH_SYNC_TIMEOUT:-7200}")
    stop_service
    [ "$(echo "$row" | cut -d'|' -f2)" = succeeded ] || die "loading $n plans failed: $row"
    pq -d "$db" -c "VACUUM ANALYZE"
    local started ready_ms health plans bytes per_plan heap
    started=$(date +%s%3N)
    start_service "$db" "$WORK/model-serve-$n.log" -Xmx"$BENCH_MODEL_HEAP" -- \
      -Devents.search.read-model.max-size="$BENCH_MODEL_BUDGET"
    await_ready "$BENCH_MGMT_PORT"
    ready_ms=$(( $(date +%s%3N) - started ))
    health=$(curl -sf "http://127.0.0.1:$BENCH_MGMT_PORT/q/health/ready")
    plans=$(echo "$health" | grep -o '"plans": *[0-9]*' | grep -o '[0-9]*$')
    bytes=$(echo "$health" | grep -o '"bytes": *[0-9]*' | grep -o '[0-9]*$')
    per_plan=$(echo "$health" | grep -o '"bytes_per_plan": *[0-9]*' | grep -o '[0-9]*$')
    heap=$(heap_after_gc "$SERVICE_PID")
    stop_service
    echo "| $n | ${plans:-?} | $(mib "${bytes:-0}") MiB | ${per_plan:-?} | $(mib "${heap:-0}") MiB | $ready_ms ms |" >>"$RESULTS/model-memory.md"
    [ "$BENCH_KEEP" = 1 ] || drop_db "$db"
    rm -f "$dir/feed-$n.xml"
  done
}
