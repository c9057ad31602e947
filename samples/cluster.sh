#!/usr/bin/env bash
# Runs the Simulation sample as a cluster of store nodes on this machine: a throwaway PostgreSQL
# journal on 127.0.0.1, then NODES Simulation processes (default 3), each a store node of one
# cluster on a loopback port, each computing its own range of runs and all writing one output;
# once every run is done the nodes leave one at a time. The output is the same as one process
# running every run with the same seed (README, Run it).
#
#   samples/cluster.sh OUT [--nodes N] [--runs-per-node R] [Simulation options: --frames, --atoms,
#                      --seed, --flush-every, --array-format, --zarr-version, --table-format]
#
# OUT must not exist yet. Node logs go to OUT.logs/. SIMULATION=path/to/Simulation.dll runs that
# build instead of building samples/Simulation in Release. Exits non-zero if a node fails; the
# PostgreSQL server is stopped and its folder removed in any case.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
(($#)) || usage
out="$1"; shift
case "$out" in -*) usage ;; esac
nodes=3
per=2
passed=()
while (($#)); do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --runs-per-node) per="$2"; shift 2 ;;
    --out|--runs|--first-run|--resume|--durable) echo "cluster.sh: $1 is set by the script" >&2; exit 2 ;;
    *) passed+=("$1"); shift ;;
  esac
done
[[ "$nodes" =~ ^[1-9][0-9]?$ && "$per" =~ ^[1-9][0-9]*$ ]] || { echo "cluster.sh: --nodes must be 1 to 99 and --runs-per-node at least 1" >&2; exit 2; }
[ ! -e "$out" ] || { echo "cluster.sh: '$out' exists; give a new folder" >&2; exit 2; }
out="$(realpath -m "$out")"
logs="$out.logs"
mkdir -p "$out" "$logs"

if [ -z "${SIMULATION-}" ]; then
  dotnet build "$here/Simulation" -c Release -v q -nologo >"$logs/build.log" 2>&1 || { cat "$logs/build.log" >&2; exit 1; }
  SIMULATION="$here/Simulation/bin/Release/net10.0/Simulation.dll"
fi

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The journal: a throwaway PostgreSQL on 127.0.0.1 (the postgresql package's binaries; as the postgres user when root, since initdb refuses root).
pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$pgbin/initdb" ] || { echo "cluster.sh: PostgreSQL's server binaries are missing: apt-get install postgresql" >&2; exit 1; }
pgdir="$(mktemp -d)"
as_server() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$pgdir"; fi
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  as_server "$pgbin/pg_ctl" -D "$pgdir/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
trap cleanup EXIT
pgport="$(free_port)"
as_server "$pgbin/initdb" -D "$pgdir/data" -A trust -U store -E UTF8 --no-sync >"$logs/postgres-init.log"
# lz4 for journal events and malloc keeping large blocks, as README's cluster section recommends.
as_server env MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824 "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $pgport -k $pgdir -c default_toast_compression=lz4" start >/dev/null
"$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U store -d postgres -qc "create database store" >/dev/null

# The nodes: the first is the seed of all (it starts the cluster); none serves a path before all are up.
ports=()
for ((n = 0; n < nodes; n++)); do ports+=("$(free_port)"); done
export Store__JournalProvider=PostgreSQL.15
export Store__JournalConnectionString="Host=127.0.0.1;Port=$pgport;Database=store;Username=store"
export Store__Cluster__Enabled=true Store__Cluster__StoreId=simulation Store__Cluster__Hostname=127.0.0.1
export Store__Cluster__SeedNodes="akka.tcp://store@127.0.0.1:${ports[0]}" Store__Cluster__MinimumMembers="$nodes"
export Store__Cluster__StableAfter=5s
echo "cluster.sh: $nodes store nodes on 127.0.0.1:${ports[*]}, journal on PostgreSQL 127.0.0.1:$pgport, output $out"
for ((n = 0; n < nodes; n++)); do
  Store__Cluster__Port="${ports[n]}" dotnet "$SIMULATION" --out "$out" --durable --runs "$per" --first-run $((n * per)) --serve-until-stopped "${passed[@]}" \
    >"$logs/node$n.log" 2>&1 &
  pids+=("$!")
done

# Every node serves until all runs are done (another node's runs may write paths it holds); then
# they leave one at a time, the youngest first, each handing its paths over flushed.
status=0
while :; do
  done_nodes=0
  for ((n = 0; n < nodes; n++)); do
    if grep -q '^Runs done' "$logs/node$n.log" 2>/dev/null; then
      done_nodes=$((done_nodes + 1))
    elif ! kill -0 "${pids[n]}" 2>/dev/null; then
      echo "node $n stopped before its runs were done; the end of $logs/node$n.log:" >&2
      tail -n 20 "$logs/node$n.log" >&2
      exit 1
    fi
  done
  ((done_nodes < nodes)) || break
  sleep 0.5
done

for ((n = nodes - 1; n >= 0; n--)); do
  kill -TERM "${pids[n]}"
  if wait "${pids[n]}"; then
    echo "node $n (runs $((n * per))..$((n * per + per - 1))): $(grep -m1 -oE '[0-9]+ runs × [0-9]+ frames × [0-9]+ atoms in [0-9.]+ s' "$logs/node$n.log" || echo done)"
  else
    code=$?
    status=1
    echo "node $n failed (exit $code); the end of $logs/node$n.log:" >&2
    tail -n 20 "$logs/node$n.log" >&2
  fi
done
pids=()
exit "$status"
