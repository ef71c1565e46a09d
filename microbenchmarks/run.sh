#!/usr/bin/env bash
# JMH benchmarks outside Quarkus: the send path with 1 then 2 publishing threads, then the encoder and the history.
# Usage: microbenchmarks/run.sh [extra JMH options, e.g. -wi 1 -i 2 for a quick look]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q install -DskipTests -pl microbenchmarks -am
cp="microbenchmarks/target/classes:$(cat microbenchmarks/target/classpath.txt)"
for threads in 1 2; do
  java -cp "$cp" org.openjdk.jmh.Main SendPath -t "$threads" "$@"
done
java -cp "$cp" org.openjdk.jmh.Main EncoderAndHistory "$@"
