#!/usr/bin/env bash
# Fan-out benchmark: the extension (history and replay on, in benchmark/extension-app, the baselines' application
# but for the extension) against four baselines served by the benchmark's own application, each server in a fresh
# JVM of its own, measured by one load client; then the extension as two instances sharing the channel through a
# redis-server (the Debian package; python3 picks its port), its streams opened from a Vert.x route rather than a
# resource method, and the demo application (security and metrics on).
# Usage: [OUT=dir] benchmark/run.sh [--scale F]
#   F < 1 gives a quick smoke run in benchmark/target/results; a full run writes the committed results to
#   docs/modules/ROOT/partials/benchmark/ (results.adoc, results.json, one JSON file per server) and the chart to
#   docs/modules/ROOT/assets/images/benchmark/fanout.svg.
set -euo pipefail
cd "$(dirname "$0")/.."
out="docs/modules/ROOT/partials/benchmark"
if [ "${1:-}" = "--scale" ] && [ "${2:-1}" != "1" ]; then out="benchmark/target/results"; fi
out="${OUT:-$out}"

./mvnw -B -q install -DskipTests -pl integration-tests,benchmark,benchmark/extension-app -am
source benchmark/common.sh

client_flags=()
if [ "${1:-}" = "--scale" ]; then client_flags=(--scale "$2"); fi
measure sse-channels "$channels" /channels/sse /channels/publish ,replays,users
measure_redis sse-channels-redis "$channels" /channels/sse /channels/publish
measure sse-channels-route "$channels" /channels/route/sse /channels/publish ,replays
measure sse-channels-demo "$demo" /sse/weather /weather ,replays,users
measure raw-vertx-route "$baselines" /vertx/sse /vertx/publish
measure raw-vertx-route-coalescing "$baselines" /vertx-coalesced/sse /vertx-coalesced/publish
measure jaxrs-sse-broadcaster "$baselines" /broadcaster/sse /broadcaster/publish
measure mutiny-broadcast-processor "$baselines" /mutiny/sse /mutiny/publish
"${client[@]}" --report sse-channels,sse-channels-redis,sse-channels-route,sse-channels-demo,raw-vertx-route,\
raw-vertx-route-coalescing,jaxrs-sse-broadcaster,mutiny-broadcast-processor
if [ "$out" = "docs/modules/ROOT/partials/benchmark" ]; then
  mkdir -p docs/modules/ROOT/assets/images/benchmark
  mv "$out/fanout.svg" docs/modules/ROOT/assets/images/benchmark/fanout.svg
fi
echo "Results in $out"
