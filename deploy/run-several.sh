#!/usr/bin/env bash
# N DeskQuest processes on one host without Docker or systemd, on one PostgreSQL floor: process appI on port
# BASE_PORT+I (I = 1..N), after applying the migrations once; Ctrl-C (or SIGTERM) stops them all cleanly. It does not
# restart a process that dies (its tabs reload onto the others through nginx): deskquest@.service under systemd does.
#   export DESKQUEST_DB_URL=postgres://deskquest:PASSWORD@127.0.0.1:5432/deskquest DESKQUEST_STORAGE_SECRET=...
#   deploy/run-several.sh 2            # app1 on 8081, app2 on 8082: deploy/nginx.conf with 127.0.0.1:808I for appI:8080
#   deploy/run-several.sh 3 9000 --no-demo   # app1 on 9001, ...; options after the two numbers go to every process
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:?how many processes}"
base="${2:-8080}"
shift $(( $# >= 2 ? 2 : 1 ))
python="${DESKQUEST_PYTHON:-.venv/bin/python}"
case "${DESKQUEST_DB_URL:-}" in
    postgres://*) ;;
    *) echo 'run-several.sh: set DESKQUEST_DB_URL=postgres://... (on SQLite one process serves a floor)' >&2; exit 2 ;;
esac
"$python" main.py migrate  # once, before any process: several starting at once must not all migrate

pids=()
stop_all() {
    trap - INT TERM EXIT
    kill -TERM "${pids[@]}" 2>/dev/null || true  # uvicorn stops gracefully on SIGTERM: DeskQuest finishes its writes
    wait
}
trap stop_all INT TERM EXIT
for i in $(seq 1 "$count"); do
    "$python" main.py --port "$((base + i))" --process-id "app$i" "$@" &
    pids+=("$!")
done
wait -n || true  # the first process to end (a crash) is reported; the others keep serving until Ctrl-C
echo "run-several.sh: a process ended; the others go on (Ctrl-C stops them)" >&2
wait
