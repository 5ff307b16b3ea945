#!/usr/bin/env bash
# Load-tests placing orders: POST /v1/orders with three lines, a new Idempotency-Key each time and
# stock topped up so every order can succeed, against a Release publish on 127.0.0.1, first over
# SQLite, then over a throwaway PostgreSQL cluster. Each provider is measured at full load
# (CONNECTIONS) and at a lighter load (LIGHT_CONNECTIONS, about half the throughput, where p95 is
# what a shopper feels), with baskets of random SKUs; then once more with every order on the same
# three SKUs ("hot"), which serialises on those stock rows. Prints one table.
#   bench/orders.sh                 # 15 s per run
#   DURATION=30s bench/orders.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-32}"
LIGHT_CONNECTIONS="${LIGHT_CONNECTIONS:-2}"
PORT="${PORT:-5098}"
URL="http://127.0.0.1:$PORT"
source bench/lib.sh
bench_setup orders wrk sqlite3 postgresql

orders_wrk() { # connections [hot] -> "rps p50 p95 p99 errors"
  QC_HOT="${2:-0}" run_wrk bench/orders.lua "$1"
}

rows=()
measure() { # provider label
  export QC_TOKEN QC_STORE=st_1 QC_ZIP=10013 QC_SKU_COUNT=200
  QC_TOKEN="$(shopper_token)"
  wrk -t1 -c8 -d3s -s bench/orders.lua "$URL" >/dev/null # warm-up: JIT, pools
  local full light hot
  full="$(orders_wrk "$CONNECTIONS")"
  light="$(orders_wrk "$LIGHT_CONNECTIONS")"
  hot="$(orders_wrk "$CONNECTIONS" 1)"
  rows+=("$1|$CONNECTIONS|$full" "$1|$LIGHT_CONNECTIONS|$light" "$1 hot|$CONNECTIONS|$hot")
}

echo "SQLite…"
start_app Sqlite ""
sqlite3 "$work/qcommerce.db" "UPDATE Stock SET OnHand = Reserved + 10000000;"
measure SQLite
stop_app Sqlite

echo "PostgreSQL…"
start_postgres
start_app Postgres "$PG_CS"
"${PSQL[@]}" -c 'UPDATE "Stock" SET "OnHand" = "Reserved" + 10000000' >/dev/null
measure PostgreSQL
stop_app Postgres

printf '\n| %-15s | %11s | %9s | %8s | %8s | %8s | %8s |\n' "database" "connections" "orders/s" "p50 ms" "p95 ms" "p99 ms" "errors"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "-----------------" "-------------" "-----------" "----------" "----------" "----------" "----------"
for row in "${rows[@]}"; do
  IFS='|' read -r db conns result <<<"$row"
  read -r rps p50 p95 p99 errors <<<"$result"
  printf '| %-15s | %11s | %9s | %8s | %8s | %8s | %8s |\n' "$db" "$conns" "$rps" "$p50" "$p95" "$p99" "$errors"
done
printf '\nPOST /v1/orders, 3 lines (4 units), cash on delivery, distinct Idempotency-Keys; wrk -t1 -d%s on %s cores; Release.\n' "$DURATION" "$(nproc)"
printf 'PostgreSQL runs with fsync on (the default); errors = non-2xx or socket errors.\n'
