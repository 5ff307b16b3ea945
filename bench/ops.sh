#!/usr/bin/env bash
# The ops portal's reads at scale: seeds ORDERS (100,000) orders of demo history, then measures the orders grid's first
# page, a filtered page (one state in one store), a customer's orders, and the dashboard, through /v1/ops (the same
# Core queries the portal's pages run), at low concurrency so the figures are server time, not queueing; then counts
# the SQL statements each one runs (EF's command log, one request each). SQLite, then a throwaway PostgreSQL.
#   bench/ops.sh                       # ORDERS=100000 DURATION=10s CONNECTIONS=2
#   PROVIDERS=Sqlite ORDERS=20000 bench/ops.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-2}"
ORDERS="${ORDERS:-100000}"
PROVIDERS="${PROVIDERS:-Sqlite Postgres}"
PORT="${PORT:-5099}"
URL="http://127.0.0.1:$PORT"
source bench/lib.sh
bench_setup ops wrk sqlite3 postgresql

reads=(
  "grid, first page|/v1/ops/orders?pageSize=50"
  "grid, delivered at Midtown|/v1/ops/orders?state=delivered&storeId=st_2&pageSize=50"
  "grid, one customer|/v1/ops/orders?email=demo.shopper07@example.com&pageSize=50"
  "dashboard, all stores|/v1/ops/dashboard"
  "dashboard, one store|/v1/ops/dashboard?storeId=st_1"
)

rows=()
declare -A statements
for provider in $PROVIDERS; do
  cs=""
  if [ "$provider" = Postgres ]; then start_postgres; cs="$PG_CS"; fi
  echo "$provider: seeding $ORDERS orders (once per run)…"
  started=$(date +%s)
  start_app "$provider" "$cs" Database__DemoOrders="$ORDERS"
  seeded=$(( $(date +%s) - started ))
  export QC_TOKEN; QC_TOKEN="$(admin_token)"
  for read in "${reads[@]}"; do
    label="${read%%|*}"; path="${read#*|}"
    export QC_PATH="$path"
    wrk -t1 -c1 -d2s -s bench/ops.lua "$URL" >/dev/null # warm-up
    rows+=("$provider|$label|$(run_wrk bench/ops.lua "$CONNECTIONS")")
  done
  stop_app "$provider"

  # Once more with EF's command log on: the statements one request of each read runs.
  start_app "$provider" "$cs" Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command=Information
  QC_TOKEN="$(admin_token)"
  for read in "${reads[@]}"; do
    label="${read%%|*}"; path="${read#*|}"
    curl -fs -o /dev/null -H "Authorization: Bearer $QC_TOKEN" "$URL$path" # first call: caches, the staff directory's warm-up
    sleep 0.5; before=$(grep -c 'Executed DbCommand' "$work/app-$provider.log" || true)
    curl -fs -o /dev/null -H "Authorization: Bearer $QC_TOKEN" "$URL$path"
    sleep 0.5; after=$(grep -c 'Executed DbCommand' "$work/app-$provider.log" || true)
    statements["$provider|$label"]=$((after - before))
  done
  stop_app "$provider"
  echo "$provider: $ORDERS orders seeded in ${seeded}s"
done

echo
printf '%-9s %-28s %9s %9s %9s %9s %7s %11s %7s\n' provider read req/s p50_ms p95_ms p99_ms errors statements target
for row in "${rows[@]}"; do
  IFS='|' read -r provider label result <<<"$row"
  read -r rps p50 p95 p99 errors <<<"$result"
  target=100; [[ "$label" == dashboard* ]] && target=200
  met=$(awk -v p="$p95" -v t="$target" 'BEGIN { print (p <= t) ? "met" : "MISSED" }')
  printf '%-9s %-28s %9s %9s %9s %9s %7s %11s %7s\n' "$provider" "$label" "$rps" "$p50" "$p95" "$p99" "$errors" \
    "${statements["$provider|$label"]:-?}" "p95≤${target} $met"
done
