#!/usr/bin/env bash
# Fan-out benchmark: the extension (the demo application, history and replay on) against three baselines served
# by the benchmark's own application, each server in a fresh JVM of its own, measured by one load client; then the
# extension as two instances sharing the channel through a redis-server (the Debian package; python3 picks its port).
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
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done' EXIT

# Starts an application on a free port (it says which: its only INFO line kept); sets $port and adds its pid.
# name, application jar, extra JVM flags
start_server() {
  local name=$1 jar=$2
  shift 2
  local log="benchmark/target/$name.log"
  port=""
  java -Xms1g -Xmx1g -XX:+UseG1GC -Dquarkus.http.port=0 -Dquarkus.log.level=WARN \
    -Dquarkus.log.category.\"io.quarkus\".level=INFO "$@" -jar "$jar" > "$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do
    port=$(sed -n 's/.*Listening on: http:[^ ]*:\([0-9][0-9]*\).*/\1/p' "$log" | head -1)
    [ -n "$port" ] && break
    sleep 0.5
  done
  [ -n "$port" ] || { echo "$name did not start:"; cat "$log"; exit 1; }
}

# name, application jar, stream path, publish path, extra client flag
measure() {
  local name=$1 jar=$2 stream=$3 publish=$4 flags=${5:-}
  start_server "$name" "$jar"
  "${client[@]}" "${scale[@]}" --server "$name,$port,$stream,$publish,${pids[0]}$flags"
  stop_all
}

# The extension as two instances sharing its channels through a redis-server of their own: publishes go to the
# first, streams alternate between both, and the CPU counted is both instances' and Redis's.
measure_redis() {
  local name=$1 jar=$2 stream=$3 publish=$4
  local redis_port
  redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no > "benchmark/target/$name-redis.log" 2>&1 &
  local redis_pid=$!
  pids+=("$redis_pid")
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null && break
    sleep 0.2
  done
  local redis=(-Dquarkus.sse-channels.backend=redis -Dquarkus.redis.hosts="redis://127.0.0.1:$redis_port")
  start_server "$name-a" "$jar" "${redis[@]}"
  local port_a=$port pid_a=${pids[-1]}
  start_server "$name-b" "$jar" "${redis[@]}"
  "${client[@]}" "${scale[@]}" \
    --server "$name,$port_a+$port,$stream,$publish,$pid_a+${pids[-1]},replays,helper=$redis_pid"
  stop_all
}

# A server that ran out of memory may ignore SIGTERM: it gets 10 s, then SIGKILL.
stop_all() {
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 20); do
      kill -0 "$p" 2>/dev/null || break
      sleep 0.5
    done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  pids=()
}

scale=()
if [ "${1:-}" = "--scale" ]; then scale=(--scale "$2"); fi
baselines=benchmark/target/quarkus-app/quarkus-run.jar
demo=integration-tests/target/quarkus-app/quarkus-run.jar
measure sse-channels "$demo" /sse/weather /weather ,replays
measure_redis sse-channels-redis "$demo" /sse/weather /weather
measure raw-vertx-route "$baselines" /vertx/sse /vertx/publish
measure jaxrs-sse-broadcaster "$baselines" /broadcaster/sse /broadcaster/publish
measure mutiny-broadcast-processor "$baselines" /mutiny/sse /mutiny/publish
"${client[@]}" --report sse-channels,sse-channels-redis,raw-vertx-route,jaxrs-sse-broadcaster,mutiny-broadcast-processor
if [ "$out" = "docs/modules/ROOT/partials/benchmark" ]; then
  mkdir -p docs/modules/ROOT/assets/images/benchmark
  mv "$out/fanout.svg" docs/modules/ROOT/assets/images/benchmark/fanout.svg
fi
echo "Results in $out"
