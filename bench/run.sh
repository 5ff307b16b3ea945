#!/usr/bin/env bash
# Load-tests QCommerce on this machine: a Release publish on 127.0.0.1 over a fresh SQLite file with
# the demo data, measured with wrk (one client thread, so the 2-core server keeps a core of its own).
# Prints one table: requests/s and p50/p99 per endpoint, beside a plaintext endpoint of the same host,
# and the cold start to the first served page.
#   bench/run.sh            # 15 s per endpoint
#   DURATION=30s bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-32}"
PORT="${PORT:-5099}"
URL="http://127.0.0.1:$PORT"
app_dir="artifacts/bench-app"
data_dir="$(mktemp -d /tmp/qcommerce-bench.XXXXXX)"

echo "Publishing a Release build…"
dotnet publish QCommerce.Web -c Release -o "$app_dir" --nologo -v quiet >/dev/null

start_ns=$(date +%s%N)
ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="$URL" \
  ConnectionStrings__Sqlite="Data Source=$data_dir/qcommerce.db" Admin__Password="Bench-Passw0rd!" \
  Logging__LogLevel__Default=Warning DOTNET_TieredPGO=1 \
  dotnet "$app_dir/QCommerce.Web.dll" >"$data_dir/app.log" 2>&1 &
app_pid=$!
trap 'kill $app_pid 2>/dev/null || true; wait $app_pid 2>/dev/null || true; rm -rf "$data_dir"' EXIT
until curl -fs -o /dev/null "$URL/"; do
  kill -0 $app_pid 2>/dev/null || { cat "$data_dir/app.log"; exit 1; }
  sleep 0.05
done
cold_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))

store_cookie="Cookie: qc_store=1"
declare -a names=("plaintext /health/live" "GET /v1/products" "GET /v1/products?query=milk" "category page /c/dairy-eggs" "product page /p/<slug>" "search page /search?q=yogurt")
declare -a urls=("$URL/health/live" "$URL/v1/products?storeId=st_1&pageSize=24" "$URL/v1/products?storeId=st_1&query=milk" "$URL/c/dairy-eggs" "$URL/p/chobani-greek-yogurt-plain" "$URL/search?q=yogurt")

measure() { # url -> "rps p50 p99"
  local out
  out=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -H "$store_cookie" "$1")
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  echo "$rps $p50 $p99 ${errors:-0}"
}

echo "Warming up (JIT, caches)…"
for u in "${urls[@]}"; do wrk -t1 -c8 -d3s -H "$store_cookie" "$u" >/dev/null; done

printf '\n| %-30s | %10s | %9s | %9s | %8s |\n' "endpoint" "req/s" "p50" "p99" "non-2xx"
printf '|%s|%s|%s|%s|%s|\n' "--------------------------------" "------------" "-----------" "-----------" "----------"
for i in "${!urls[@]}"; do
  read -r rps p50 p99 errors <<<"$(measure "${urls[$i]}")"
  printf '| %-30s | %10s | %9s | %9s | %8s |\n' "${names[$i]}" "$rps" "$p50" "$p99" "$errors"
done
printf '\nCold start to the first served page: %s ms (publish done, empty database: migrate + seed included)\n' "$cold_ms"
printf 'wrk -t1 -c%s -d%s on %s cores; Release; SQLite.\n' "$CONNECTIONS" "$DURATION" "$(nproc)"
