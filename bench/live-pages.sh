#!/usr/bin/env bash
# What an open live page costs the server: PAGES (200) order-tracking pages and PAGES cart pages open in Debian's
# Chromium against a Release publish on SQLite, the app's managed heap weighed by a full GC (dotnet-gcdump) with none
# open, all open, after they were left, and after a browser holding them vanished (kept circuits). Prints a table
# and the types that grew most per page (bench/LivePages).
#   bench/live-pages.sh            # PAGES=200
set -euo pipefail
cd "$(dirname "$0")/.."
PAGES="${PAGES:-200}"
PORT="${PORT:-5098}"
URL="http://127.0.0.1:$PORT"
source bench/lib.sh
bench_setup live-pages sqlite3 chromium
dotnet tool restore >/dev/null
dotnet build bench/LivePages -c Release --nologo -v quiet >/dev/null

start_app Sqlite ""
sqlite3 "$work/qcommerce.db" "UPDATE Stock SET OnHand = Reserved + 100000 WHERE StoreId = 1;"
dotnet bench/LivePages/bin/Release/net10.0/LivePages.dll "$URL" "$app_pid" "$PAGES"
stop_app Sqlite
printf '\n%s cores; Release, Production, SQLite; Chromium %s\n' "$(nproc)" "$(chromium --version 2>/dev/null | awk '{print $2}')"
