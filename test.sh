#!/usr/bin/env bash
# Runs every QCommerce test: domain, database (SQLite and a real PostgreSQL), API over real HTTP,
# bUnit components and Playwright journeys in Debian's Chromium.
# Installs what is missing from apt (Chromium, PostgreSQL, an emoji font, promtool, nginx, sqlite3), starts a throwaway
# PostgreSQL cluster on 127.0.0.1, runs the tests, and stops the cluster whatever happens.
set -euo pipefail
cd "$(dirname "$0")"

log() { printf '\n== %s\n' "$*"; }

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
{ [ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] && command -v psql >/dev/null 2>&1 && id postgres >/dev/null 2>&1; } || missing+=(postgresql)
fc-list 2>/dev/null | grep -qi "Noto Color Emoji" || missing+=(fonts-noto-color-emoji)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)   # promtool checks /metrics
command -v nginx >/dev/null 2>&1 || missing+=(nginx)            # the proxy in front of two instances
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)        # another process at the SQLite file
if [ ${#missing[@]} -gt 0 ]; then
  log "Installing from apt: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then echo "Run as root (or install ${missing[*]} yourself)." >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  # Debian starts the packages' own services on port 80 and 9090; the tests start their own, on loopback ports.
  for service in nginx prometheus; do service "$service" stop >/dev/null 2>&1 || true; done
fi

# A throwaway PostgreSQL cluster, owned by the postgres user, on a free loopback port.
PG="$(pg_bin)"
pg_dir="$(mktemp -d /tmp/qcommerce-pg.XXXXXX)"
chmod 755 "$pg_dir"
install -d -o postgres -g postgres -m 700 "$pg_dir/data"
install -d -o postgres -g postgres "$pg_dir/sock"
free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
stop_pg() {
  runuser -u postgres -- "$PG/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap stop_pg EXIT
runuser -u postgres -- "$PG/initdb" -D "$pg_dir/data" -A trust -U postgres >/dev/null
# A start can fail for reasons outside this repo (a port taken between the probe and the bind, a small or full
# /dev/shm): say why from the server's log, then try again on another port with shared memory from plain files.
port=$(free_port 55432)
pg_options="-c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300"
for attempt in 1 2 3; do
  log "Starting PostgreSQL ($PG) on 127.0.0.1:$port"
  if runuser -u postgres -- "$PG/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/data/server.log" -w -t 60 \
       -o "-p $port -k $pg_dir/sock $pg_options" start >/dev/null; then
    break
  fi
  echo "PostgreSQL did not start (attempt $attempt); its log says:" >&2
  tail -n 20 "$pg_dir/data/server.log" >&2 || true
  df -h /dev/shm /tmp >&2 || true
  if [ "$attempt" -eq 3 ]; then exit 1; fi
  port=$(free_port $((port + 1)))
  pg_options="$pg_options -c dynamic_shared_memory_type=mmap"
done
export QC_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Include Error Detail=true"

log "Building"
dotnet build QCommerce.sln -c Release --nologo -v quiet -warnaserror

log "Running the tests"
results="$(mktemp -d)"
set +e
dotnet test QCommerce.sln -c Release --no-build --nologo \
  --logger "console;verbosity=normal" --logger "trx;LogFileName=tests.trx" --results-directory "$results" 2>&1 | tee "$results/output.txt"
status=${PIPESTATUS[0]}
set -e

# One plain closing line: "N passed, N failed". dotnet prints either "Passed!  - Failed: 0, Passed: 9, …"
# or a "Total tests:" block with "Passed: 9" and "Failed: 1" on lines of their own.
count() { grep -Eo "$1: *[0-9]+" "$results/output.txt" | grep -Eo '[0-9]+' | tail -n 1 || true; }
passed=$(count 'Passed')
failed=$(count 'Failed')
if [ -z "$passed" ] && [ "$status" -ne 0 ]; then failed=1; fi
# CI shows only the tail of this output: name every failed test and its message again here, last.
if [ "${failed:-0}" != "0" ] && [ -f "$results/tests.trx" ]; then
  echo
  echo "Failed tests:"
  perl -0777 -ne 'while (/<UnitTestResult\b[^>]*?testName="([^"]*)"[^>]*?outcome="Failed"[^>]*>(.*?)<\/UnitTestResult>/sg) {
      my ($name, $body) = ($1, $2); my ($msg) = $body =~ /<Message>(.*?)<\/Message>/s; $msg //= "";
      $msg =~ s/&lt;/</g; $msg =~ s/&gt;/>/g; $msg =~ s/&quot;/"/g; $msg =~ s/&amp;/&/g;
      print "  - $name\n    ", substr($msg, 0, 1500) =~ s/\n/\n    /gr, "\n"; }' "$results/tests.trx" || true
fi
echo
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
