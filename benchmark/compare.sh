#!/usr/bin/env bash
# A quick, interleaved look at some workloads: the extension (the demo application) and a baseline, one after the
# other in fresh JVMs, ROUNDS times, so that a ratio can be judged as the median of interleaved runs on a shared
# machine. Prints each run's figures and keeps them in benchmark/target/compare/<server>-<round>.json.
# Usage: benchmark/compare.sh WORKLOADS [ROUNDS] [BASELINE]
#   WORKLOADS: some of latency,memory,serial,throughput,storm,users; BASELINE: vertx (the naive raw route, the
#   default), vertx-coalesced (the raw route with backpressure and coalesced flushes), redis (the extension as
#   two instances sharing the channel through a redis-server, against itself as one), or route (the extension's
#   streams opened from a Vert.x route, /route/sse/weather, and the naive raw route), or metrics-off (the
#   extension with quarkus.sse-channels.metrics.enabled=false: what its Micrometer meters cost)
set -euo pipefail
cd "$(dirname "$0")/.."
out=benchmark/target/compare
./mvnw -B -q install -DskipTests -pl integration-tests,benchmark -am
source benchmark/common.sh

client_flags=(--workloads "$1")
baseline=${3:-vertx}
for round in $(seq 1 "${2:-3}"); do
  measure "sse-channels-$round" "$demo" /sse/weather /weather ,replays,users
  if [ "$baseline" = redis ]; then
    measure_redis "sse-channels-redis-$round" "$demo" /sse/weather /weather
  elif [ "$baseline" = metrics-off ]; then
    measure "sse-channels-metrics-off-$round" "$demo" /sse/weather /weather ,replays,users \
      -Dquarkus.sse-channels.metrics.enabled=false
  elif [ "$baseline" = route ]; then
    measure "sse-channels-route-$round" "$demo" /route/sse/weather /weather ,replays
    measure "raw-vertx-route-$round" "$baselines" /vertx/sse /vertx/publish
  else
    measure "raw-$baseline-route-$round" "$baselines" "/$baseline/sse" "/$baseline/publish"
  fi
done
