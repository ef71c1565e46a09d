#!/usr/bin/env bash
# A quick, interleaved look at some workloads: the extension (the demo application) and the raw Vert.x route, one
# after the other in fresh JVMs, ROUNDS times, so that a ratio can be judged as the median of interleaved runs on
# a shared machine. Prints each run's figures and keeps them in benchmark/target/compare/<server>-<round>.json.
# Usage: benchmark/compare.sh WORKLOADS [ROUNDS]   (WORKLOADS: some of latency,memory,serial,throughput,storm)
set -euo pipefail
cd "$(dirname "$0")/.."
out=benchmark/target/compare
./mvnw -B -q install -DskipTests -pl integration-tests,benchmark -am
source benchmark/common.sh

client_flags=(--workloads "$1")
for round in $(seq 1 "${2:-3}"); do
  measure "sse-channels-$round" "$demo" /sse/weather /weather ,replays
  measure "raw-vertx-route-$round" "$baselines" /vertx/sse /vertx/publish
done
