#!/usr/bin/env bash
# Runs every test. Installs what the tests need beyond NuGet when it is missing (Debian's
# python3-numpy and python3-zarr (zarr-python 2.13), run as /usr/bin/python3; postgresql, whose
# binaries the tests start a throwaway server on 127.0.0.1 with; Node.js and the npm
# readers pinned in tests/interop/package-lock.json: DuckDB, apache-arrow, polars (nodejs-polars), zarrita), then runs dotnet test.
# Extra arguments go to `dotnet test` (for example --filter or --logger). Then the tests that touch
# timestamps ([Trait("TimeZone", "any")]) run a second time under TZ=Asia/Kolkata (UTC+05:30), with
# the same arguments (a --filter narrows both runs; a --logger writes a result file per run), since
# a timestamp must mean the same on every machine. The exit status is non-zero if either run failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

missing=()
/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 || missing+=(python3-numpy)
/usr/bin/python3 -c 'import zarr' >/dev/null 2>&1 || missing+=(python3-zarr)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
# PostgreSQL's server binaries, for the tests' throwaway journal server (tests/Shared/PostgresServer.cs).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)

if ((${#missing[@]})); then
  echo "test.sh: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  if [[ " ${missing[*]} " == *" postgresql "* ]]; then
    # Only the binaries: no cluster of the package's own, and no server started by the install
    # (the tests start theirs on 127.0.0.1 and stop it).
    $sudo mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
      $sudo chmod +x /usr/sbin/policy-rc.d
      remove_policy=1
    fi
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if [ -n "${remove_policy-}" ]; then $sudo rm -f /usr/sbin/policy-rc.d; fi
fi

if [ ! -d tests/interop/node_modules/@duckdb/node-api ] || [ ! -d tests/interop/node_modules/apache-arrow ] ||
  [ ! -d tests/interop/node_modules/zarrita ] || [ ! -d tests/interop/node_modules/@zarrita/storage ] ||
  [ ! -d tests/interop/node_modules/nodejs-polars ]; then
  echo "test.sh: installing the npm readers (tests/interop)"
  npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

args=()
filter=""
while (($#)); do
  case "$1" in
    --filter) filter="${2-}"; shift $(($# > 1 ? 2 : 1)) ;;
    --filter=*) filter="${1#--filter=}"; shift ;;
    *) args+=("$1"); shift ;;
  esac
done

status=0
first=("${args[@]}")
if [ -n "$filter" ]; then first+=(--filter "$filter"); fi
dotnet test Store.sln "${first[@]}" || status=$?

zoned="TimeZone=any"
if [ -n "$filter" ]; then zoned="($filter)&$zoned"; fi
echo "test.sh: the timestamp tests again under TZ=Asia/Kolkata (--filter \"$zoned\")"
TZ=Asia/Kolkata dotnet test Store.sln --no-build "${args[@]}" --filter "$zoned" || status=$?
exit "$status"
