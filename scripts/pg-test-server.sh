#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on loopback for the test suite and print its URL.
#   eval "$(scripts/pg-test-server.sh)"   # exports HARMWATCH_TEST_PG_URL
# Uses the machine's PostgreSQL binaries (Debian: postgresql); as root, runs them as `postgres`.
set -euo pipefail
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$BIN" ] || { echo "no PostgreSQL server binaries (apt-get install postgresql)" >&2; exit 1; }
# a free port unless one is given, so a server left running elsewhere is no obstacle
PORT=${HARMWATCH_TEST_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
DIR=$(mktemp -d /tmp/harmwatch-pg.XXXXXX)
AS=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$DIR"
  AS=(runuser -u postgres --)
fi
"${AS[@]}" "$BIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 >"$DIR/initdb.log" 2>&1
if ! "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
  -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >&2; then
  cat "$DIR/server.log" >&2
  exit 1
fi
echo "export HARMWATCH_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
echo "export HARMWATCH_TEST_PG_DIR=$DIR"
