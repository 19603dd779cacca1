#!/usr/bin/env bash
# Installs what is needed, builds, and runs sluice's main job on embedded defaults: the
# server on 127.0.0.1:4567 with the data folder ./sluice-data (`sluice demo`, which creates
# the ON_DEMAND stream `taxi-trips`), then generates 100,000 taxi trips (`sluice gen-trips`)
# and streams them into `taxi-trips` through the producer library (`sluice produce`). The
# server keeps running in the foreground until Ctrl-C (SIGINT/SIGTERM are passed on).
# Extra arguments go to `sluice demo` (the same flags as `sluice serve`).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# SLUICE_BIN: an already built sluice to run instead of installing and building one (the
# integration test of this script sets it).
if [[ -n "${SLUICE_BIN:-}" ]]; then
  SLUICE="$SLUICE_BIN"
else
  "$ROOT/scripts/bootstrap.sh" release
  SLUICE="$ROOT/build/release/sluice"
fi
WORK="$(mktemp -d /tmp/sluice-demo-XXXXXX)"
: > "$WORK/server.out"  # before the first poll: tee creates it only once it runs
"$SLUICE" demo "$@" > >(tee "$WORK/server.out") &
server=$!
# Whatever ends this script (Ctrl-C, an error) ends the server too, and removes $WORK (the
# generated trips, 12 MB a run).
trap 'kill -TERM "$server" 2>/dev/null || true; rm -rf "$WORK"' INT TERM EXIT

endpoint=""
for _ in $(seq 1 100); do
  endpoint="$(sed -n 's/^sluice: listening on //p' "$WORK/server.out")"
  [[ -n "$endpoint" ]] && break
  kill -0 "$server" 2>/dev/null || exit 1
  sleep 0.1
done
[[ -n "$endpoint" ]] || { echo "run.sh: the server did not start" >&2; exit 1; }

export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-demo}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-demo}"
# Bounded, and the CLI's last error is shown: a wait that never ends tells nobody anything.
status=""
for _ in $(seq 1 150); do
  status="$(aws --region us-east-1 --endpoint-url "$endpoint" kinesis describe-stream-summary \
              --stream-name taxi-trips --query StreamDescriptionSummary.StreamStatus \
              --output text 2>"$WORK/aws.err")" || true
  [[ "$status" == ACTIVE ]] && break
  sleep 0.2
done
if [[ "$status" != ACTIVE ]]; then
  echo "run.sh: the stream taxi-trips is not ACTIVE (status '$status'): $(cat "$WORK/aws.err")" >&2
  kill -TERM "$server" 2>/dev/null || true
  exit 1
fi
"$SLUICE" gen-trips --rows 100000 --seed 1 --out "$WORK/trips.csv"
# An on-demand stream takes far more than a provisioned shard's quota per shard: lift the
# producer's per-shard rate limit (KPL RateLimit, 150% of a shard's quota by default).
# Exit status 3: every well-formed trip was put and the malformed ones went to the rejects
# file, which is what the generated file's bad rows are for.
status=0
"$SLUICE" produce --endpoint "$endpoint" --stream taxi-trips --no-progress --rate-limit 10000 \
  "$WORK/trips.csv" || status=$?
if [[ $status -ne 0 && $status -ne 3 ]]; then
  echo "run.sh: some trips were not produced (see above)" >&2
fi
echo "run.sh: trips in $WORK/trips.csv, malformed rows in $WORK/trips.csv.rejects" \
     "(removed on exit); the server runs on $endpoint until Ctrl-C"
wait "$server"
