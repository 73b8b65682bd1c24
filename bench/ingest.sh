# The ingestion benchmark, sourced by bench/run. For each size in BENCH_SIZES (plans):
#   1. generate a feed (N/10 base plans x 10 plans x BENCH_INGEST_ZONES zones, 1% dirty records, two years: 100k
#      plans are 500k zones and 65 MiB of XML) and, in the same pass,
#      the rows the service stores for it as COPY text files; then the same feed with every BENCH_CHANGE_EVERY-th
#      plan's first zone 1.00 dearer (1% of the plans changed, a price each), and the first one re-indented;
#   2. initial sync: a fresh database, the service started with the feed as a file: provider and a fixed -Xmx; the
#      sync's own duration (sync_runs.duration_ms), the time from the process's start to the finished sync, peak
#      RSS (VmHWM), heap from the GC log;
#   3. two references, each into a fresh database and in one transaction, with psql \copy of the same rows:
#      - schema COPY: into the service's own tables (partitions, indexes, keys, fill factor), then again without the
#        key check of zones;
#      - plain COPY: the plans and zones into two simple tables (plans with a primary key, zones with a foreign key
#        to it): the physical limit. The headline figure is sync / plain COPY;
#   4. re-syncs of the identical file (short-circuited by digest), of the same content re-indented (other bytes:
#      parsed, nothing to write) and of the 1%-changed feed, each with the catalogue tables' write counters before
#      and after, and as a ratio of the initial sync.
# shellcheck shell=bash

: "${BENCH_SIZES:=10000 100000 1000000}"
: "${BENCH_INGEST_HEAP:=256m}"       # fixed -Xmx of the ingesting service: heap must not need more for any size
: "${BENCH_BATCH_SIZE:=2000}"        # events.ingestion.batch-size (the service's default)
: "${BENCH_SYNC_TIMEOUT:=7200}"      # seconds to wait for one sync
: "${BENCH_CHANGE_EVERY:=100}"       # the delta feed changes the price of one plan in this many
: "${BENCH_INGEST_ZONES:=5}"         # zones per plan of the ingested feeds (the search catalogue has BENCH_ZONES)

INGEST_DB="${BENCH_DB_PREFIX}_ingest"
COPY_DB="${BENCH_DB_PREFIX}_copy"
PLAIN_DB="${BENCH_DB_PREFIX}_plain"

# The physical limit: the same plans and zones in two simple tables, a primary key and a foreign key.
PLAIN_SCHEMA="
CREATE TABLE plans (
    id uuid PRIMARY KEY, provider_id integer, base_plan_id text, plan_id text, starts_at timestamptz,
    ends_at timestamptz, start_local timestamp, end_local timestamp, sell_from timestamp, sell_to timestamp,
    sold_out boolean, zone_count integer, min_price numeric(12,2), max_price numeric(12,2), content_hash bigint,
    first_seen_at timestamptz, last_seen_at timestamptz, updated_at timestamptz);
CREATE TABLE zones (
    plan_id uuid REFERENCES plans (id), position integer, zone_id text, name text, capacity integer,
    price numeric(12,2), numbered boolean);"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

sync_row() { # sync_row DB ID: the run's figures, space-separated
  pqv "$1" "SELECT outcome, coalesce(duration_ms, 0), plans_seen, zones_seen, plans_inserted, plans_updated,
                   plans_unchanged, zones_written, skipped_total, coalesce(feed_bytes, 0),
                   base_plans_inserted + base_plans_updated, plans_gone_stale, base_plans_unread,
                   base_plans_seen
            FROM sync_runs WHERE id = $2" | tr '|' ' '
}

# One sync of FEED into INGEST_DB by a fresh service process. Sets RUN_ID, RUN_RSS_KIB (peak RSS), RUN_HEAP
# (heap used at the end, bytes) and RUN_WALL_MS (from the process's start to the finished sync, polled every
# 0.5 s); the GC log goes to GCLOG, the service log to SVCLOG. The read model is off: it has its own benchmark
# (bench/run readmodel), and on, it would load the whole catalogue into this heap right after the sync, and the
# sync would wait (up to 5 s) until its model shows the new version, both counted here as ingestion's.
ingest_sync() {
  local feed=$1 gclog=$2 svclog=$3 after t0
  after=$(last_run_id "$INGEST_DB")
  t0=$(now_ms)
  start_service "$INGEST_DB" "$svclog" -Xms64m -Xmx"$BENCH_INGEST_HEAP" -Xlog:gc*:file="$gclog":uptime,level,tags -- \
    -Devents.providers.bench.url="file://$feed" -Devents.providers.bench.every=1h \
    -Devents.providers.bench.max-feed-size=64G -Devents.ingestion.batch-size="$BENCH_BATCH_SIZE" \
    -Devents.search.read-model.enabled=false
  RUN_ID=$(wait_sync "$INGEST_DB" "$after" "$BENCH_SYNC_TIMEOUT")
  RUN_WALL_MS=$(( $(now_ms) - t0 ))
  RUN_ID=${RUN_ID%%|*}
  RUN_RSS_KIB=$(peak_rss_kib "$SERVICE_PID")
  RUN_HEAP=$(heap_used_now || true)
  RUN_HEAP=${RUN_HEAP:-0}
  stop_service
  sleep 1 # the backends' statistics are flushed when their connections close
}

ingest_one() {
  local n=$1 dir="$WORK/ingest-$n"
  mkdir -p "$dir"
  log "ingest $n plans: generating the feed and the reference rows"
  local t0 gen_ms feed_bytes
  t0=$(now_ms)
  BENCH_ZONES=$BENCH_INGEST_ZONES generate_feed "$dir/feed.xml" "$n" "$dir/rows" 2>"$dir/generator.txt"
  gen_ms=$(( $(now_ms) - t0 ))
  feed_bytes=$(stat -c %s "$dir/feed.xml")
  # Same content, other bytes: one more space of indentation on every line after the XML declaration.
  sed '2,$s/^/ /' "$dir/feed.xml" >"$dir/feed-reindented.xml"
  # The same feed with one plan in BENCH_CHANGE_EVERY changed (its first zone's price).
  BENCH_ZONES=$BENCH_INGEST_ZONES generate_feed "$dir/feed-changed.xml" "$n" "" --change-every "$BENCH_CHANGE_EVERY" 2>/dev/null
  log "  feed: $(mib "$feed_bytes") MiB ($(cat "$dir/generator.txt")), generated in ${gen_ms} ms"

  # --- initial sync ---------------------------------------------------------------------------------------------
  create_db "$INGEST_DB" "$TEMPLATE_DB"
  pqv "$INGEST_DB" "CHECKPOINT"
  table_writes "$INGEST_DB" >"$dir/writes-0"
  log "  initial sync (-Xmx$BENCH_INGEST_HEAP, batch $BENCH_BATCH_SIZE)"
  ingest_sync "$dir/feed.xml" "$dir/gc-initial.log" "$dir/service-initial.log"
  local rss=$RUN_RSS_KIB heap=$RUN_HEAP wall=$RUN_WALL_MS
  table_writes "$INGEST_DB" >"$dir/writes-1"
  local outcome dur pseen zseen pins pupd punch zw skipped fbytes bwritten stale unread bseen
  read -r outcome dur pseen zseen pins pupd punch zw skipped fbytes bwritten stale unread bseen <<<"$(sync_row "$INGEST_DB" "$RUN_ID")"
  [ "$outcome" = succeeded ] || die "initial sync of $n plans: $outcome (see $dir/service-initial.log)"
  local gc_before gc_after gc_committed gc_count
  read -r gc_before gc_after gc_committed gc_count <<<"$(gc_log_summary "$dir/gc-initial.log")"
  local peak_heap=$(( gc_before > heap ? gc_before : heap ))
  local plans=$(( pins + pupd + punch ))
  log "  synced $plans plans, $zw zones in ${dur} ms (${wall} ms from the process's start); peak RSS $((rss / 1024)) MiB, peak heap $(mib "$peak_heap") MiB"

  # --- COPY reference -------------------------------------------------------------------------------------------
  create_db "$COPY_DB" "$TEMPLATE_DB"
  pqv "$COPY_DB" "INSERT INTO providers (id, name) OVERRIDING SYSTEM VALUE VALUES (1, 'bench')"
  pqv "$COPY_DB" "CHECKPOINT"
  cat >"$dir/copy.sql" <<EOF
\\copy base_plans (provider_id, base_plan_id, title, sell_mode, organizer_company_id, ever_online, content_hash, first_seen_at, last_seen_at, updated_at) FROM '$dir/rows/base_plans.tsv'
\\copy plan_identities FROM '$dir/rows/plan_identities.tsv'
\\copy plans FROM '$dir/rows/plans.tsv'
\\copy zones FROM '$dir/rows/zones.tsv'
EOF
  log "  schema COPY: psql \\copy of the same rows into the service's tables in one transaction"
  t0=$(now_ms)
  pq -d "$COPY_DB" -1 -f "$dir/copy.sql"
  local copy_ms=$(( $(now_ms) - t0 ))
  # The reference must be the same rows: same plan ids, same zone count, same prices.
  local check="SELECT count(*), md5(string_agg(id::text || min_price || max_price || zone_count, ',' ORDER BY id)),
                      (SELECT count(*) FROM zones) FROM plans"
  local ref ing
  ref=$(pqv "$COPY_DB" "$check"); ing=$(pqv "$INGEST_DB" "$check")
  [ "$ref" = "$ing" ] || log "  WARNING: the reference rows differ from the ingested ones: $ref vs $ing"
  # A second reference without the key check of zones (its per-statement trigger): what that check costs.
  pqv "$COPY_DB" "TRUNCATE zones, plans, plan_identities, base_plans"
  pqv "$COPY_DB" "ALTER TABLE zones DISABLE TRIGGER zones_of_known_plans"
  pqv "$COPY_DB" "CHECKPOINT"
  t0=$(now_ms)
  pq -d "$COPY_DB" -1 -f "$dir/copy.sql"
  local copy_nofk_ms=$(( $(now_ms) - t0 ))
  drop_db "$COPY_DB"
  log "  schema COPY: ${copy_ms} ms (${copy_nofk_ms} ms without the zones key check); sync / schema COPY = $(ratio "$dur" "$copy_ms")"

  # --- plain COPY reference: the physical limit ------------------------------------------------------------------
  create_db "$PLAIN_DB"
  pqv "$PLAIN_DB" "$PLAIN_SCHEMA"
  pqv "$PLAIN_DB" "CHECKPOINT"
  cat >"$dir/plain.sql" <<EOF
\\copy plans FROM '$dir/rows/plans.tsv'
\\copy zones FROM '$dir/rows/zones.tsv'
EOF
  t0=$(now_ms)
  pq -d "$PLAIN_DB" -1 -f "$dir/plain.sql"
  local plain_ms=$(( $(now_ms) - t0 ))
  drop_db "$PLAIN_DB"
  log "  plain COPY: ${plain_ms} ms; sync / plain COPY = $(ratio "$dur" "$plain_ms")"

  echo "$n,$plans,$zw,$skipped,$feed_bytes,$dur,$copy_ms,$peak_heap,$gc_after,$gc_committed,$gc_count,$((rss * 1024)),$BENCH_INGEST_HEAP,$BENCH_BATCH_SIZE,$copy_nofk_ms,$plain_ms,$wall" \
    >>"$RESULTS/ingest.csv"

  # --- re-syncs -------------------------------------------------------------------------------------------------
  local initial=$dur kind feed
  for kind in identical reindented changed; do
    case "$kind" in
      identical) feed="$dir/feed.xml" ;;
      reindented) feed="$dir/feed-reindented.xml" ;;
      changed) feed="$dir/feed-changed.xml" ;;
    esac
    pqv "$INGEST_DB" "CHECKPOINT"
    table_writes "$INGEST_DB" >"$dir/writes-$kind-0"
    log "  re-sync, $kind feed"
    ingest_sync "$feed" "$dir/gc-$kind.log" "$dir/service-$kind.log"
    table_writes "$INGEST_DB" >"$dir/writes-$kind-1"
    read -r outcome dur pseen zseen pins pupd punch zw skipped fbytes bwritten stale unread bseen <<<"$(sync_row "$INGEST_DB" "$RUN_ID")"
    local ins upd del detail
    read -r ins upd del detail <<<"$(writes_delta "$dir/writes-$kind-0" "$dir/writes-$kind-1")"
    log "  $kind: $outcome in ${dur} ms ($(ratio "$dur" "$initial") of the initial sync); plans inserted $pins, updated $pupd, unchanged $punch, gone stale $stale, zones written $zw; rows +$ins ~$upd -$del ($detail)"
    echo "$n,$kind,$outcome,$dur,$fbytes,$pins,$pupd,$punch,$zw,$ins,$upd,$del,$detail,$initial,$stale,$unread,$bseen" >>"$RESULTS/resync.csv"
  done
  # --- warm re-syncs: one long-lived process, as a running instance syncs its provider ------------------------------
  # The re-syncs above each start a fresh JVM, so a small re-sync is mostly a cold process's fixed costs. Here one
  # process syncs the feed as it comes, round after round (original, re-indented, 1% changed), each sync asked for by
  # the operator endpoint; the second round's figures are reported, its JIT warm as in production.
  cp "$dir/feed.xml" "$dir/live.xml"
  local after
  after=$(last_run_id "$INGEST_DB")
  start_service "$INGEST_DB" "$dir/service-warm.log" -Xms64m -Xmx"$BENCH_INGEST_HEAP" -- \
    -Devents.providers.bench.url="file://$dir/live.xml" -Devents.providers.bench.every=1h \
    -Devents.providers.bench.max-feed-size=64G -Devents.ingestion.batch-size="$BENCH_BATCH_SIZE" \
    -Devents.search.read-model.enabled=false
  after=$(wait_sync "$INGEST_DB" "$after" "$BENCH_SYNC_TIMEOUT"); after=${after%%|*}
  local round
  for round in 1 2; do
    for kind in reindented changed original; do
      case "$kind" in
        reindented) cp "$dir/feed-reindented.xml" "$dir/live.next" ;;
        changed) cp "$dir/feed-changed.xml" "$dir/live.next" ;;
        original) cp "$dir/feed.xml" "$dir/live.next" ;;
      esac
      mv "$dir/live.next" "$dir/live.xml"
      curl -sf -o /dev/null -u "operator:${EVENTS_OPERATOR_PASSWORD:-bench-operator}" -X POST \
        "http://127.0.0.1:$BENCH_MGMT_PORT/ops/providers/bench/sync" || die "the operator endpoint refused a sync"
      after=$(wait_sync "$INGEST_DB" "$after" "$BENCH_SYNC_TIMEOUT"); after=${after%%|*}
      [ "$round" = 2 ] && [ "$kind" != original ] || continue
      read -r outcome dur pseen zseen pins pupd punch zw skipped fbytes bwritten stale unread bseen <<<"$(sync_row "$INGEST_DB" "$after")"
      log "  warm $kind: $outcome in ${dur} ms ($(ratio "$dur" "$initial") of the initial sync)"
      echo "$n,$kind-warm,$outcome,$dur,$fbytes,$pins,$pupd,$punch,$zw,,,,(one process),$initial,$stale,$unread,$bseen" >>"$RESULTS/resync.csv"
    done
  done
  stop_service

  local f
  for f in "$dir"/*.log; do cp "$f" "$RESULTS/ingest-$n-$(basename "$f")"; done
  [ "$BENCH_KEEP" = 1 ] || { drop_db "$INGEST_DB"; rm -rf "$dir"; }
}

ingest_tables() {
  echo "### Ingestion: initial sync vs PostgreSQL COPY of the same rows"
  echo
  echo "Feed shape: N/$BENCH_PLANS_PER_BASE base plans x $BENCH_PLANS_PER_BASE plans x $BENCH_INGEST_ZONES zones, ${BENCH_DIRTY} dirty share, two years; service -Xmx from the table, batch $BENCH_BATCH_SIZE."
  echo "Plain COPY: plans and zones into two simple tables (a primary key, a foreign key), the physical limit. Schema COPY: the same rows into the service's own tables."
  echo
  echo "| Plans in feed | Plans stored | Zones stored | Feed MiB | Sync s | From process start s | Plain COPY s | **Sync / plain COPY** | Schema COPY s | Sync / schema COPY | Schema COPY, no zones key check s | Plans/s | Peak heap MiB | Max heap after GC MiB | Peak RSS MiB | -Xmx |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F, 'NR > 1 {
    printf "| %d | %d | %d | %.0f | %.2f | %.2f | %.2f | **%.2f** | %.2f | %.2f | %.2f | %.0f | %.0f | %.0f | %.0f | %s |\n",
      $1, $2, $3, $5 / 1048576, $6 / 1000, $17 / 1000, $16 / 1000, $6 / $16, $7 / 1000, $6 / $7,
      $15 / 1000, $2 / ($6 / 1000), $8 / 1048576, $9 / 1048576, $12 / 1048576, $13 }' "$RESULTS/ingest.csv"
  echo
  echo "### Re-syncs"
  echo
  echo "| Plans | Feed | Outcome | Sync s | **/ initial sync** | Plans inserted / updated / unchanged / gone stale | Base plans not read | Zones written | Catalogue rows inserted / updated / deleted | Per table (pg_stat_user_tables) |"
  echo "|---:|---|---|---:|---:|---|---:|---:|---|---|"
  awk -F, 'NR > 1 {
    warm = $2 ~ /-warm$/; kind = warm ? substr($2, 1, length($2) - 5) : $2
    feed = kind == "identical" ? "identical bytes" : kind == "reindented" ? "same content, re-indented" : "1% of plans changed (a price each)"
    feed = feed (warm ? ", **warm** (a running process)" : ", cold (a fresh process)")
    if (warm) printf "| %d | %s | %s | %.2f | **%.3f** | %d / %d / %d / %d | %d of %d | %d | – | %s |\n", $1, feed, $3, $4 / 1000, $4 / $14, $6, $7, $8, $15, $16, $17, $9, $13
    else printf "| %d | %s | %s | %.2f | **%.3f** | %d / %d / %d / %d | %d of %d | %d | %d / %d / %d | %s |\n", $1, feed, $3, $4 / 1000, $4 / $14, $6, $7, $8, $15, $16, $17, $9, $10, $11, $12, $13 }' \
    "$RESULTS/resync.csv"
  echo
  echo "Targets: initial sync / plain COPY <= 2 (heap after GC <= 32 MiB at -Xmx256m); 1%-changed re-sync / initial <= 0.15; re-indented re-sync / initial <= 0.1; identical bytes short-circuited."
}

bench_ingest() {
  make_template
  echo "requested_plans,plans,zones,skipped,feed_bytes,sync_ms,copy_ms,peak_heap_bytes,max_heap_after_gc_bytes,heap_committed_bytes,gc_count,peak_rss_bytes,xmx,batch_size,copy_without_zones_fk_ms,plain_copy_ms,wall_ms" \
    >"$RESULTS/ingest.csv"
  echo "plans,feed,outcome,sync_ms,feed_bytes,plans_inserted,plans_updated,plans_unchanged,zones_written,rows_inserted,rows_updated,rows_deleted,detail,initial_sync_ms,plans_gone_stale,base_plans_unread,base_plans_seen" \
    >"$RESULTS/resync.csv"
  local n
  for n in $BENCH_SIZES; do ingest_one "$n"; done
  ingest_tables >"$RESULTS/ingest.md"
}
