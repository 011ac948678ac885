#!/usr/bin/env bash
# SSH fan-out benchmark: epiphany-ssh vs OpenSSH's own client (xargs -P) on N real sshd on loopback.
# Needs root and openssh-server. Usage: benchmarks/ssh-fanout.sh [hosts=50] [rounds=7]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/sbin/sshd ]; then
  apt-get install -y openssh-server >/dev/null
fi
mkdir -p /run/sshd
./mvnw -B -q -Psystem -pl system-tests -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/ssh-bench.cp -Dmdep.includeScope=test
CP="system-tests/target/test-classes:system-tests/target/classes:$(cat system-tests/target/ssh-bench.cp)"
# The reactor resolved sibling modules to their target/classes; make sure they are on the path even if the
# classpath file points at jars.
for m in epiphany-api epiphany-ssh; do CP="$m/target/classes:$CP"; done
exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
  io.epiphany.systemtests.ssh.SshFanOutBenchmark "${1:-50}" "${2:-7}"
