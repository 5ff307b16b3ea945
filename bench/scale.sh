#!/usr/bin/env bash
# How the catalog's cost grows with its size (issue #26), on SQLite: for 1,000, 10,000, 50,000 and 100,000 products,
# the restart to the first answer, memory, reads with no changes and under one price change a second, how long a price
# change takes to be visible, and what a change costs the app. wrk as run.sh runs it (one client thread, 32 connections,
# a warm-up first).
#   bench/scale.sh                          # every size, 10 s per run
#   SIZES="1000 100000" bench/scale.sh      # some sizes
# Columns: req/s, p50/p95/p99 in ms, errors, the app's CPU ms per request, and the GC's pause time during the run (ms).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-5s}"
CONNECTIONS="${CONNECTIONS:-32}"
SIZES="${SIZES:-1000 10000 50000 100000}"
CHANGES="${CHANGES:-30}"
PORT="${PORT:-5101}"
URL="http://127.0.0.1:$PORT"
source bench/lib.sh
bench_setup scale wrk sqlite3 python3

ms_now() { date +%s%3N; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$app_pid/stat"; }
gc_pause_ms() { # the runtime's total GC pause time so far, from the app's own /metrics (loopback may read it)
  curl -fs "$URL/metrics" | awk '/^dotnet_gc_pause_time_seconds_total/ {s += $2} END {printf "%.0f", s * 1000}'
}
rss_mib() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$app_pid/status"; }
heap_mib() {
  curl -fs "$URL/metrics" | awk '/^dotnet_gc_last_collection_heap_size_bytes/ {s += $2} END {printf "%.0f", s / 1048576}'
}

# One price change through the ops API, as staff make them: a random amount for one of the SKUs the list shows.
change_price() { # sku amount
  curl -fs -o /dev/null -X POST "$URL/v1/ops/prices" -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d "{\"skuId\":\"$1\",\"region\":\"metro-north\",\"amount\":{\"currency\":\"USD\",\"value\":$2}}"
}

row() { # figure path cookie: warm-up, then measured with the GC's pause time over the run
  local figure="$1" result before after
  export QC_PATH="$2" QC_COOKIE="$3"
  local answer; answer="$(curl -fs -H "Cookie: $3" "$URL$2")"
  [[ "$answer" == *'"slug"'* || "$answer" == *product-card* ]] || { echo "$figure: no products in the answer"; exit 1; }
  wrk -t1 -c8 -d"$WARMUP" -s bench/get.lua "$URL" >/dev/null
  before="$(gc_pause_ms)"
  result="$(measured_wrk bench/get.lua "$CONNECTIONS")"
  after="$(gc_pause_ms)"
  read -r rps p50 p95 p99 errors cpu <<<"$result"
  printf '%8s %-44s %9s %7s %7s %7s %6s %7s %8s\n' "$size" "$figure" "$rps" "$p50" "$p95" "$p99" "$errors" "$cpu" "$((after - before))"
}

summary=()
printf '%8s %-44s %9s %7s %7s %7s %6s %7s %8s\n' products figure "req/s" p50 p95 p99 errors cpu-ms gc-ms
for size in $SIZES; do
  rm -f "$work"/qcommerce.db* "$work"/psp-sandbox.db*
  settings=(Database__DemoCatalogProducts="$size" Database__DemoOrders=0 Payments__Sandbox__DataPath="$work/psp-sandbox.db")
  start_app Sqlite "" "${settings[@]}" # seeds the catalog
  stop_app Sqlite

  # Restart on the migrated, seeded database: from launch to the first list of products with prices.
  started="$(ms_now)"
  start_app Sqlite "" "${settings[@]}"
  until curl -fs "$URL/v1/products?storeId=st_1&pageSize=24" | grep -q '"price":{'; do sleep 0.02; done
  restart=$(( $(ms_now) - started ))

  token="$(admin_token)"
  read -r -a skus <<<"$(curl -fs "$URL/v1/products?storeId=st_1&pageSize=100" | python3 -c \
    'import json,sys; print(" ".join(i["skuId"] for i in json.load(sys.stdin)["items"]))')"
  first_product="$(curl -fs "$URL/v1/products?storeId=st_1&pageSize=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')"
  first_sku="$(curl -fs "$URL/v1/products?storeId=st_1&pageSize=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["skuId"])')"

  row "list /v1/products (24, store prices)" "/v1/products?storeId=st_1&pageSize=24" ""
  row "list by price /v1/products?sort=price_asc" "/v1/products?storeId=st_1&pageSize=24&sort=price_asc" ""
  row "search /v1/products?query=milk" "/v1/products?storeId=st_1&query=milk" ""
  row "category page /c/pantry" "/c/pantry" "qc_store=1"
  rss="$(rss_mib)"; heap="$(heap_mib)"

  # The same reads while staff change a price every second.
  ( while true; do change_price "${skus[$((RANDOM % ${#skus[@]}))]}" $((100 + RANDOM % 9000)) || true; sleep 1; done ) &
  changer=$!
  row "list, one price change a second" "/v1/products?storeId=st_1&pageSize=24" ""
  row "list by price, one price change a second" "/v1/products?storeId=st_1&pageSize=24&sort=price_asc" ""
  row "category page, one price change a second" "/c/pantry" "qc_store=1"
  kill "$changer"; wait "$changer" 2>/dev/null || true
  rss_after="$(rss_mib)"

  # Change to visible: from sending a change to the first read that shows it (the median of seven).
  visible=()
  for i in 1 2 3 4 5 6 7; do
    amount=$((1000 + size % 997 + i))
    t0="$(ms_now)"
    change_price "$first_sku" "$amount"
    until curl -fs "$URL/v1/products/$first_product?storeId=st_1" | grep -q "\"value\":$amount"; do :; done
    visible+=($(( $(ms_now) - t0 )))
  done
  median_visible="$(printf '%s\n' "${visible[@]}" | sort -n | sed -n 4p)"

  # The app's CPU per change: CHANGES changes each followed by a read (which brings the snapshot up to date), less the
  # same reads with no change. The change's own request (validation, audit, outbox) is in the figure.
  before="$(cpu_ticks)"
  for i in $(seq 1 "$CHANGES"); do
    change_price "${skus[$((i % ${#skus[@]}))]}" $((200 + i)); curl -fs -o /dev/null "$URL/v1/products?storeId=st_1&pageSize=24"
  done
  with_changes=$(( $(cpu_ticks) - before ))
  before="$(cpu_ticks)"
  for i in $(seq 1 "$CHANGES"); do curl -fs -o /dev/null "$URL/v1/products?storeId=st_1&pageSize=24"; done
  reads_only=$(( $(cpu_ticks) - before ))
  cpu_change="$(awk -v a="$with_changes" -v b="$reads_only" -v n="$CHANGES" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", 1000 * (a - b) / hz / n}')"
  summary+=("$(printf '%8s %10s %8s %8s %12s %12s' "$size" "$restart" "$rss" "$heap" "$median_visible" "$cpu_change") (RSS after the changes: $rss_after MiB)")
  stop_app Sqlite
done

echo
printf '%8s %10s %8s %8s %12s %12s\n' products restart-ms rss-MiB heap-MiB visible-ms cpu-ms/change
printf '%s\n' "${summary[@]}"
