#!/usr/bin/env bash
# A quick, interleaved look at some workloads: the extension (in benchmark/extension-app, the baselines'
# application but for the extension) and a baseline, one after the other in fresh JVMs, ROUNDS times, so that a
# ratio can be judged as the median of interleaved runs on a shared machine. Prints each run's figures and keeps
# them in benchmark/target/compare/<server>-<round>.json.
# Usage: benchmark/compare.sh WORKLOADS [ROUNDS] [BASELINE]
#   WORKLOADS: some of latency,memory,serial,throughput,storm,users; BASELINE: vertx (the naive raw route, the
#   default), vertx-coalesced (the raw route with backpressure and coalesced flushes), broadcaster (the JAX-RS
#   SseBroadcaster), redis (the extension as two instances sharing the channel through a redis-server, against
#   itself as one), route (the extension's streams opened from a Vert.x route, and the naive raw route), demo (the
#   demo application, with security and metrics, against the extension alone), event-loop (the extension
#   publishing from a @NonBlocking resource method, on the event loop that reads the request, against its usual
#   blocking one, on a worker thread, and the naive raw route, which publishes on its event loop too), or
#   metrics-off (the demo with quarkus.sse-channels.metrics.enabled=false against the demo: what the extension's
#   Micrometer meters cost)
set -euo pipefail
cd "$(dirname "$0")/.."
out=benchmark/target/compare
./mvnw -B -q install -DskipTests -pl integration-tests,benchmark,benchmark/extension-app -am
source benchmark/common.sh

client_flags=(--workloads "$1")
baseline=${3:-vertx}
for round in $(seq 1 "${2:-3}"); do
  if [ "$baseline" = metrics-off ]; then
    measure "sse-channels-demo-$round" "$demo" /sse/weather /weather ,replays,users
    measure "sse-channels-demo-metrics-off-$round" "$demo" /sse/weather /weather ,replays,users \
      -Dquarkus.sse-channels.metrics.enabled=false
    continue
  fi
  measure "sse-channels-$round" "$channels" /channels/sse /channels/publish ,replays,users
  if [ "$baseline" = redis ]; then
    measure_redis "sse-channels-redis-$round" "$channels" /channels/sse /channels/publish
  elif [ "$baseline" = demo ]; then
    measure "sse-channels-demo-$round" "$demo" /sse/weather /weather ,replays,users
  elif [ "$baseline" = route ]; then
    measure "sse-channels-route-$round" "$channels" /channels/route/sse /channels/publish ,replays
    measure "raw-vertx-route-$round" "$baselines" /vertx/sse /vertx/publish
  elif [ "$baseline" = event-loop ]; then
    measure "sse-channels-event-loop-publish-$round" "$channels" /channels/sse /channels/publish-on-event-loop ,replays
    measure "raw-vertx-route-beside-event-loop-$round" "$baselines" /vertx/sse /vertx/publish
  elif [ "$baseline" = broadcaster ]; then
    measure "jaxrs-sse-broadcaster-$round" "$baselines" /broadcaster/sse /broadcaster/publish
  else
    measure "raw-$baseline-route-$round" "$baselines" "/$baseline/sse" "/$baseline/publish"
  fi
done
