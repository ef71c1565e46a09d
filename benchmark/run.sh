#!/usr/bin/env bash
# Fan-out benchmark: the extension (the demo application, history and replay on) against three baselines served
# by the benchmark's own application, each server in a fresh JVM of its own, measured by one load client.
# Usage: [OUT=dir] benchmark/run.sh [--scale F]
#   F < 1 gives a quick smoke run in benchmark/target/results; a full run writes the committed results to
#   docs/modules/ROOT/partials/benchmark/ (results.adoc, results.json, one JSON file per server) and the chart to
#   docs/modules/ROOT/assets/images/benchmark/fanout.svg.
set -euo pipefail
cd "$(dirname "$0")/.."
out="docs/modules/ROOT/partials/benchmark"
if [ "${1:-}" = "--scale" ] && [ "${2:-1}" != "1" ]; then out="benchmark/target/results"; fi
out="${OUT:-$out}"

./mvnw -B -q install -DskipTests -pl integration-tests,benchmark -am
mkdir -p "$out" benchmark/target
client=(java -Xmx2g -cp "benchmark/target/classes:benchmark/target/quarkus-app/lib/main/*"
  io.quarkiverse.ssechannels.benchmark.client.LoadClient --out "$out")
server_pid=""
trap '[ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null || true' EXIT

# name, application jar, stream path, publish path, extra client flag
measure() {
  local name=$1 jar=$2 stream=$3 publish=$4 flags=${5:-}
  local log="benchmark/target/$name.log" port=""
  # a free port: the server takes one and says which (its only INFO line kept)
  java -Xms1g -Xmx1g -XX:+UseG1GC -Dquarkus.http.port=0 -Dquarkus.log.level=WARN \
    -Dquarkus.log.category.\"io.quarkus\".level=INFO -jar "$jar" > "$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 120); do
    port=$(sed -n 's/.*Listening on: http:[^ ]*:\([0-9][0-9]*\).*/\1/p' "$log" | head -1)
    [ -n "$port" ] && break
    sleep 0.5
  done
  [ -n "$port" ] || { echo "$name did not start:"; cat "$log"; exit 1; }
  "${client[@]}" "${scale[@]}" --server "$name,$port,$stream,$publish,$server_pid$flags"
  stop_server
}

# A server that ran out of memory may ignore SIGTERM: it gets 10 s, then SIGKILL.
stop_server() {
  kill "$server_pid" 2>/dev/null || true
  for _ in $(seq 1 20); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -9 "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

scale=()
if [ "${1:-}" = "--scale" ]; then scale=(--scale "$2"); fi
baselines=benchmark/target/quarkus-app/quarkus-run.jar
measure sse-channels integration-tests/target/quarkus-app/quarkus-run.jar /sse/weather /weather ,replays
measure raw-vertx-route "$baselines" /vertx/sse /vertx/publish
measure jaxrs-sse-broadcaster "$baselines" /broadcaster/sse /broadcaster/publish
measure mutiny-broadcast-processor "$baselines" /mutiny/sse /mutiny/publish
"${client[@]}" --report sse-channels,raw-vertx-route,jaxrs-sse-broadcaster,mutiny-broadcast-processor
if [ "$out" = "docs/modules/ROOT/partials/benchmark" ]; then
  mkdir -p docs/modules/ROOT/assets/images/benchmark
  mv "$out/fanout.svg" docs/modules/ROOT/assets/images/benchmark/fanout.svg
fi
echo "Results in $out"
