#!/usr/bin/env bash
# Where the CPU goes under load: starts the Release publish (SQLite, or PROVIDER=Postgres on a throwaway cluster),
# loads one endpoint with wrk and, meanwhile, samples the app's thread stacks with dotnet-trace (a local tool of this
# repository), then prints the methods that were on the stack the longest, exclusive and inclusive, and the app's
# CPU per request from dotnet-counters.
#   bench/profile.sh orders                  # POST /v1/orders (3 random lines)
#   bench/profile.sh /v1/products?storeId=st_1&pageSize=24
#   PROVIDER=Postgres SECONDS_TRACED=15 bench/profile.sh orders
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="${1:-orders}"
PROVIDER="${PROVIDER:-Sqlite}"
SECONDS_TRACED="${SECONDS_TRACED:-10}"
CONNECTIONS="${CONNECTIONS:-32}"
TOP="${TOP:-25}"
PORT="${PORT:-5094}"
URL="http://127.0.0.1:$PORT"
DURATION="$((SECONDS_TRACED + 6))s"
source bench/lib.sh
bench_setup profile wrk sqlite3 postgresql
dotnet tool restore >/dev/null

if [ "$PROVIDER" = "Postgres" ]; then start_postgres; start_app Postgres "$PG_CS"; "${PSQL[@]}" -c 'UPDATE "Stock" SET "OnHand" = "Reserved" + 10000000' >/dev/null
else start_app Sqlite ""; sqlite3 "$work/qcommerce.db" "UPDATE Stock SET OnHand = Reserved + 10000000;"; fi

if [ "$TARGET" = "orders" ]; then
  export QC_TOKEN QC_STORE=st_1 QC_ZIP=10013 QC_SKU_COUNT=200 QC_HOT=0
  QC_TOKEN="$(shopper_token)"
  script=bench/orders.lua
else
  export QC_PATH="$TARGET" QC_COOKIE="qc_store=1"
  script=bench/get.lua
fi
wrk -t1 -c8 -d5s -s "$script" "$URL" >/dev/null # warm-up: JIT, pools
wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s "$script" "$URL" >"$work/wrk.txt" &
wrk_pid=$!
sleep 3
dotnet dotnet-counters collect -p "$app_pid" --counters System.Runtime --format csv -o "$work/counters.csv" --duration "00:00:$(printf %02d "$SECONDS_TRACED")" >/dev/null 2>&1 &
counters_pid=$!
dotnet dotnet-trace collect -p "$app_pid" --profile dotnet-sampled-thread-time --duration "00:00:00:$(printf %02d "$SECONDS_TRACED")" -o "$work/app.nettrace" >/dev/null 2>&1
wait "$counters_pid" || true
wait "$wrk_pid"
rps="$(awk '/^RESULT/ {print $2}' "$work/wrk.txt")"
stop_app "$PROVIDER"

cpu="$(awk -F, '/process.cpu.time|CPU Usage/ {v=$NF} END {print v}' "$work/counters.csv" 2>/dev/null || true)"
printf '\n%s under load: %s req/s at %s connections (%s); app CPU (last dotnet-counters reading): %s\n' "$TARGET" "$rps" "$CONNECTIONS" "$PROVIDER" "${cpu:-n/a}"
printf '\nExclusive (the method itself):\n'
dotnet dotnet-trace report "$work/app.nettrace" topN -n "$TOP"
printf '\nInclusive (the method and what it calls):\n'
dotnet dotnet-trace report "$work/app.nettrace" topN -n "$TOP" --inclusive
mkdir -p bench/results
cp "$work/app.nettrace" "bench/results/profile-$(date -u +%Y%m%dT%H%M%SZ).nettrace" 2>/dev/null || true
