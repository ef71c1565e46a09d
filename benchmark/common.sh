# Shared by run.sh and compare.sh: starting and stopping servers on free ports, and measuring them with the load
# client. Expects $out (where results go) and the benchmark and demo applications built.
mkdir -p "$out" benchmark/target
client=(java -Xmx2g -cp "benchmark/target/classes:benchmark/target/quarkus-app/lib/main/*"
  io.quarkiverse.ssechannels.benchmark.client.LoadClient --out "$out")
# the baselines' application, and its twin that serves the extension (under /channels) instead
baselines=benchmark/target/quarkus-app/quarkus-run.jar
channels=benchmark/extension-app/target/quarkus-app/quarkus-run.jar
demo=integration-tests/target/quarkus-app/quarkus-run.jar
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done' EXIT

# Starts an application on a free port (it says which: its only INFO line kept); sets $port and adds its pid.
# name, application jar, extra JVM flags
start_server() {
  local name=$1 jar=$2
  shift 2
  local log="benchmark/target/$name.log"
  port=""
  java -Xms1g -Xmx1g -XX:+UseG1GC -XX:-UseDynamicNumberOfCompilerThreads -Dquarkus.http.port=0 -Dquarkus.log.level=WARN \
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
# Usage: measure NAME JAR STREAM PUBLISH [FLAGS [JVM-ARGUMENTS...]]
measure() {
  local name=$1 jar=$2 stream=$3 publish=$4 flags=${5:-}
  shift $(($# < 5 ? $# : 5))
  start_server "$name" "$jar" "$@"
  "${client[@]}" "${client_flags[@]}" --server "$name,$port,$stream,$publish,${pids[0]}$flags"
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
  "${client[@]}" "${client_flags[@]}" \
    --server "$name,$port_a+$port,$stream,$publish,$pid_a+${pids[-1]},replays,users,helper=$redis_pid"
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

