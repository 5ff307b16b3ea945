#!/usr/bin/env bash
# What tracing and metrics cost per request: the same figures with Telemetry:Enabled on and off, in interleaved rounds
# (on, off, on, off) so the machine's drift falls on both. SQLite, 10,000 products, wrk as run.sh runs it. The app's
# CPU per request is the figure to read; requests per second follow it on two busy cores.
#   bench/telemetry.sh                  # ROUNDS=2, DURATION=10s
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-5s}"
ORDERS_WARMUP="${ORDERS_WARMUP:-30s}"
CONNECTIONS="${CONNECTIONS:-32}"
PRODUCTS="${PRODUCTS:-10000}"
ROUNDS="${ROUNDS:-2}"
PORT="${PORT:-5099}"
URL="http://127.0.0.1:$PORT"
source bench/lib.sh
bench_setup telemetry wrk sqlite3

rows=()
get() { # label path: the answer must be the page it names
  export QC_PATH="$2" QC_COOKIE=""
  curl -fs -o /dev/null "$URL$2" || { echo "$1: no answer"; exit 1; }
  wrk -t1 -c8 -d"$WARMUP" -s bench/get.lua "$URL" >/dev/null
  rows+=("$telemetry|$1|$(measured_wrk bench/get.lua "$CONNECTIONS")")
}
for round in $(seq 1 "$ROUNDS"); do
  for telemetry in true false; do
    rm -f "$work"/qcommerce.db* "$work"/psp-sandbox.db*
    start_app Sqlite "" Telemetry__Enabled="$telemetry" Database__DemoCatalogProducts="$PRODUCTS" Database__DemoOrders=0 \
      Payments__Sandbox__DataPath="$work/psp-sandbox.db"
    sqlite3 "$work/qcommerce.db" "UPDATE Stock SET OnHand = Reserved + 10000000;" # shelves that do not run out mid-run
    if [ "$telemetry" = true ]; then curl -fs "$URL/metrics" | grep -q qcommerce_ || { echo "telemetry on, but /metrics has no qcommerce_ series"; exit 1; }
    else [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/metrics")" = 404 ] || { echo "telemetry off, but /metrics answers"; exit 1; }; fi
    get "GET /v1/products (24, store prices + stock)" "/v1/products?storeId=st_1&pageSize=24"
    get "GET /v1/products/{id}" "/v1/products/p_1?storeId=st_1"
    export QC_TOKEN QC_STORE=st_1 QC_ZIP=10013 QC_SKU_COUNT=200 QC_HOT=0
    QC_TOKEN="$(shopper_token)"
    wrk -t1 -c8 -d"$ORDERS_WARMUP" -s bench/orders.lua "$URL" >/dev/null
    rows+=("$telemetry|POST /v1/orders (3 random lines)|$(measured_wrk bench/orders.lua "$CONNECTIONS")")
    stop_app Sqlite
  done
done

echo
echo "machine: $(nproc) cores; SQLite, $PRODUCTS products; wrk -t1 -c$CONNECTIONS -d$DURATION; $ROUNDS interleaved rounds"
printf '%-10s %-46s %10s %8s %8s %8s %7s %8s\n' telemetry figure "req/s" p50 p95 p99 errors cpu-ms
for row in "${rows[@]}"; do
  IFS='|' read -r on figure result <<<"$row"
  read -r rps p50 p95 p99 errors cpu <<<"$result"
  printf '%-10s %-46s %10s %8s %8s %8s %7s %8s\n' "$on" "$figure" "$rps" "$p50" "$p95" "$p99" "$errors" "$cpu"
done
