# Shared by the bench scripts (sourced, after `cd` to the repository root): tools from apt, a Release
# publish, the app on 127.0.0.1 over SQLite or a throwaway PostgreSQL cluster, and a cleanup on exit.
#   bench_setup NAME wrk sqlite3 …   installs what is missing, makes $work, publishes to $app_dir
#   start_app PROVIDER CONNECTION-STRING [VAR=value …]   then stop_app PROVIDER
#   start_postgres                   sets PG_CS and $PSQL (psql against the bench database)
#   shopper_token, run_wrk SCRIPT CONNECTIONS [DURATION], measured_wrk (the same, and the app's CPU per request)
# Expects URL to be set by the caller.

bench_setup() {
  bench_name="$1"; shift
  local need=() tool
  for tool in "$@"; do
    case "$tool" in
      postgresql) ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need+=(postgresql) ;;
      *) command -v "$tool" >/dev/null 2>&1 || need+=("$tool") ;;
    esac
  done
  if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi
  app_dir="artifacts/bench-app"
  work="$(mktemp -d "/tmp/qcommerce-bench-$bench_name.XXXXXX")"
  chmod 755 "$work" # the postgres user makes its cluster inside
  app_pid=""
  PG="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  trap bench_cleanup EXIT
  echo "Publishing a Release build…"
  # ReadyToRun, as the Dockerfile publishes: precompiled code starts sooner and the JIT stays out of the figures.
  dotnet publish QCommerce.Web -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$app_dir" --nologo -v quiet >/dev/null
}

bench_cleanup() {
  [ -n "$app_pid" ] && { kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; }
  [ -d "$work/pg/data" ] && runuser -u postgres -- "$PG/pg_ctl" -D "$work/pg/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}

admin_token() { # the bench admin's bearer token (start_app sets the password)
  curl -fs -X POST "$URL/v1/auth/login" -H 'content-type: application/json' -d '{"email":"admin@qcommerce.local","password":"Bench-Passw0rd!"}' \
    | sed -E 's/.*"accessToken":"([^"]+)".*/\1/'
}

start_app() { # provider connection-string [VAR=value …]
  env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="$URL" Database__Provider="$1" \
    ConnectionStrings__Sqlite="Data Source=$work/qcommerce.db" ConnectionStrings__Postgres="$2" \
    Admin__Password="Bench-Passw0rd!" Logging__LogLevel__Default=Warning \
    RateLimits__OrdersPerUser__PermitLimit=1000000000 RateLimits__PaymentsPerUser__PermitLimit=1000000000 \
    RateLimits__SignInPerClient__PermitLimit=1000000 RateLimits__RegistrationPerClient__PermitLimit=1000000 "${@:3}" \
    dotnet "$app_dir/QCommerce.Web.dll" >"$work/app-$1.log" 2>&1 &
  app_pid=$!
  until curl -fs -o /dev/null "$URL/health/ready"; do
    kill -0 "$app_pid" 2>/dev/null || { cat "$work/app-$1.log"; exit 1; }
    sleep 0.02 # fine enough for the cold start's figure
  done
}

stop_app() { # provider: keeps its log under artifacts/ and shows its first failures
  kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=""
  cp "$work/app-$1.log" "artifacts/bench-$bench_name-app-$1.log"
  grep -A4 -m3 'fail:' "$work/app-$1.log" | sed "s/^/$1 app log: /" || true
}

start_postgres() {
  install -d -o postgres -g postgres -m 700 "$work/pg/data"
  install -d -o postgres -g postgres "$work/pg/sock"
  local port=55600
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  runuser -u postgres -- "$PG/initdb" -D "$work/pg/data" -A trust -U postgres >/dev/null
  runuser -u postgres -- "$PG/pg_ctl" -D "$work/pg/data" -l "$work/pg/data/server.log" -w \
    -o "-p $port -k $work/pg/sock -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  runuser -u postgres -- psql -q -h 127.0.0.1 -p "$port" -U postgres -c "CREATE DATABASE qcommerce" >/dev/null
  PG_CS="Host=127.0.0.1;Port=$port;Username=postgres;Database=qcommerce"
  PSQL=(runuser -u postgres -- psql -q -h 127.0.0.1 -p "$port" -U postgres -d qcommerce)
}

shopper_token() { # registers a new shopper and prints a bearer token
  local email="bench-$RANDOM$RANDOM@example.com"
  curl -fs -X POST "$URL/v1/auth/register" -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"Bench-Passw0rd!\"}" >/dev/null
  curl -fs -X POST "$URL/v1/auth/login" -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"Bench-Passw0rd!\"}" \
    | sed -E 's/.*"accessToken":"([^"]+)".*/\1/'
}

run_wrk() { # script connections [duration] -> "rps p50 p95 p99 errors" (the script prints RESULT via bench/result.lua)
  wrk -t1 -c"$2" -d"${3:-$DURATION}" -s "$1" "$URL" | awk '/^RESULT/ {print $2, $3, $4, $5, $6}'
}

# run_wrk's figures, then the app's CPU per request (its user + system time over the run, in ms, over the requests
# served): what a figure costs the server. Times the rate, it is the share of the two cores the app took; wrk, the
# kernel and, on PostgreSQL, the database take the rest. "-" when the app could not be read (it died mid-run).
measured_wrk() { # script connections [duration: 10s or 1m]
  local duration="${3:-$DURATION}" seconds before after result
  seconds="${duration%s}"; [[ "$duration" == *m ]] && seconds=$(( ${duration%m} * 60 ))
  before="$(awk '{print $14 + $15}' "/proc/$app_pid/stat" 2>/dev/null || true)"
  result="$(run_wrk "$@")"
  after="$(awk '{print $14 + $15}' "/proc/$app_pid/stat" 2>/dev/null || true)"
  if [ -z "$before" ] || [ -z "$after" ]; then echo "$result -"; return; fi
  echo "$result $(awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" -v rps="${result%% *}" -v s="$seconds" \
    'BEGIN {printf "%.2f", (rps > 0) ? 1000 * ticks / hz / (rps * s) : 0}')"
}
