#!/usr/bin/env bash
# What an operator's bad day costs, on SQLite (the embedded default) with a 10,000-product catalog:
#  1. orders placed while a 50,000-row price list applies: orders per second before and during the import, their
#     errors (there must be none), and how long the import took;
#  2. the memory of 16 picture uploads at once: 16 PNGs of 3,000 x 3,000 (9 megapixels, decoded whole: 36 MB each),
#     then 16 PNGs of 6,300 x 6,300 (40 megapixels, 160 MB each decoded, refused by the decoding budget unread), with
#     the app's peak resident memory (VmHWM) after each.
#   bench/faults.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PRODUCTS="${PRODUCTS:-10000}"
CONNECTIONS="${CONNECTIONS:-8}"
PORT="${PORT:-5098}"
URL="http://127.0.0.1:$PORT"
source bench/lib.sh
bench_setup faults wrk sqlite3 curl
start_app Sqlite "" Database__DemoCatalogProducts="$PRODUCTS" Database__DemoOrders=0 Payments__Sandbox__DataPath="$work/psp-sandbox.db" \
  Media__Root="$work/media" Mail__PickupDirectory="$work/mail"
sqlite3 "$work/qcommerce.db" "UPDATE Stock SET OnHand = Reserved + 10000000;" # shelves that do not run out mid-run
export QC_TOKEN QC_STORE=st_1 QC_ZIP=10013 QC_SKU_COUNT=200 QC_HOT=0
admin="$(admin_token)"
orders() { sqlite3 "$work/qcommerce.db" "SELECT count(*) FROM Orders"; }
hwm() { awk '/VmHWM/ {printf "%.0f MB", $2/1024}' "/proc/$app_pid/status"; }

# 1. A 50,000-row price list: every SKU's price in both regions from 11:00 on each of the next days, until 50,000 rows.
curl -fs -H "Authorization: Bearer $admin" "$URL/v1/ops/exports/prices" > "$work/export.csv"
{ echo "sku,region,amount,currency,effectiveFrom,effectiveTo"
  for day in 1 2 3 4 5 6; do
    from="$(date -u -d "tomorrow + $((day - 1)) days" +%Y-%m-%dT11:00:00Z)"
    awk -F, -v from="$from" 'NR > 1 && !seen[$1","$2]++ { print $1","$2","($3+day)","$4","from"," }' day="$day" "$work/export.csv"
  done; } > "$work/all-prices.csv"
head -n 50001 "$work/all-prices.csv" > "$work/prices.csv" # not piped: head's early exit would fail the pipeline
echo "price list: $(( $(wc -l < "$work/prices.csv") - 1 )) rows"
QC_TOKEN="$(shopper_token)"
wrk -t1 -c"$CONNECTIONS" -d20s -s bench/orders.lua "$URL" >/dev/null # warm-up
read -r base_rps _ _ base_p99 base_errors <<<"$(run_wrk bench/orders.lua "$CONNECTIONS" 10s)"

before="$(orders)"
wrk -t1 -c"$CONNECTIONS" -d120s -s bench/orders.lua "$URL" > "$work/wrk-during.txt" &
wrk_pid=$!
sleep 2
start_ns=$(date +%s%N); at_start="$(orders)"
import="$(curl -s -o "$work/import.json" -w '%{http_code}' -X POST "$URL/v1/ops/imports/prices?dryRun=false" \
  -H "Authorization: Bearer $admin" -H 'content-type: text/csv' --data-binary "@$work/prices.csv")"
end_ns=$(date +%s%N); at_end="$(orders)"
kill -INT "$wrk_pid"; wait "$wrk_pid" || true
import_s=$(awk -v a="$start_ns" -v b="$end_ns" 'BEGIN {printf "%.1f", (b - a) / 1e9}')
during=$(awk -v n=$((at_end - at_start)) -v s="$import_s" 'BEGIN {printf "%.0f", n / s}')
errors="$(awk '/^RESULT/ {print $6}' "$work/wrk-during.txt")"
echo
echo "machine: $(nproc) cores; SQLite, $PRODUCTS products, $CONNECTIONS connections placing orders (3 random lines, cash)"
printf '%-58s %s\n' "orders per second, no import" "$base_rps (p99 $base_p99 ms, $base_errors errors)"
printf '%-58s %s\n' "the 50,000-row price list applied (HTTP $import)" "in $import_s s: $(tr -d '\n' < "$work/import.json" | head -c 160)"
printf '%-58s %s\n' "orders placed during the import" "$((at_end - at_start)), $during per second; errors over the whole run: ${errors:-?}"
echo "\"database is locked\" in the app log: $(grep -c "database is locked" "$work/app-Sqlite.log" || true)"
grep -B2 -A12 -m2 '"LogLevel":"Error"' "$work/app-Sqlite.log" | head -c 3000 || true

# 2. Pictures: 16 uploads at once, of a picture decoded whole and of one over the decoding budget.
python3 - "$work" <<'PY'
import struct, sys, zlib
def png(path, size):
    row = b"\x00" + bytes([0xF4, 0xEE, 0xE0]) * size
    def chunk(kind, data): return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(row * size, 9)) + chunk(b"IEND", b""))
png(sys.argv[1] + "/9mp.png", 3000)
png(sys.argv[1] + "/40mp.png", 6300)
PY
echo "before the uploads: peak memory $(hwm)"
for picture in 9mp 40mp; do
  pids=()
  for i in $(seq 1 16); do
    curl -s -o /dev/null -w '%{http_code}\n' -X POST "$URL/v1/ops/products/p_$(( (i % 20) + 1 ))/images" -H "Authorization: Bearer $admin" \
      -F "file=@$work/$picture.png;type=image/png" >> "$work/uploads-$picture.txt" &
    pids+=($!)
  done
  wait "${pids[@]}"
  echo "16 uploads of $picture.png ($(stat -c %s "$work/$picture.png") bytes) at once: answers $(sort "$work/uploads-$picture.txt" | uniq -c | tr -s ' ' | tr '\n' ' '); peak memory now $(hwm)"
done
stop_app Sqlite
