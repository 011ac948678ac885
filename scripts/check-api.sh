#!/usr/bin/env bash
# API compatibility of the published library modules (japicmp-maven-plugin, profiles api-check / api-check-tree in
# the root pom): fails on any binary- or source-incompatible change to a public or protected member.
#   scripts/check-api.sh 0.1.0          # against the released artifacts of that version
#   scripts/check-api.sh --git main     # against jars built here from a git revision (package only: nothing installed)
#   scripts/check-api.sh                # no baseline: says so and exits 0
# Further arguments go to Maven (e.g. -o). The reports: <module>/target/japicmp/api-check.{diff,html}.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
modules=epiphany-api,epiphany-ssh,epiphany-haproxy,epiphany-kubeadm,epiphany-testkit
cd "$root"

report() {
  for m in ${modules//,/ }; do
    f="$m/target/japicmp/api-check.diff"
    if [ -f "$f" ]; then
      changed=$(grep -c '^\*\*\*' "$f" || true)
      echo "$m: $changed changed classes (report: $f)"
    fi
  done
}

case "${1-}" in
  "")
    echo "API check skipped: no baseline. No version of io.epiphany has been released, so there is no published API" \
      "to compare with. After the first release: scripts/check-api.sh <that version>; until then a git revision" \
      "can serve: scripts/check-api.sh --git main"
    exit 0
    ;;
  --git)
    ref="${2:?usage: scripts/check-api.sh --git <revision>}"
    shift 2
    baseline="$(mktemp -d)"
    trap 'rm -rf "$baseline"' EXIT
    git archive "$ref" | tar -xf - -C "$baseline"
    echo "building the baseline $ref ($(git rev-parse --short "$ref")) in $baseline ..." >&2
    (cd "$baseline" && ./mvnw -B -q package -DskipTests -pl "$modules" -am "$@") >&2
    ./mvnw -B -q verify -DskipTests -pl "$modules" -am -Depiphany.api.baseline.dir="$baseline" "$@"
    ;;
  *)
    version="$1"
    shift
    ./mvnw -B -q verify -DskipTests -pl "$modules" -am -Depiphany.api.baseline="$version" "$@"
    ;;
esac
report
echo "API check passed: no incompatible change to the public API"
