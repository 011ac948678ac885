#!/usr/bin/env bash
# Reproducible builds: builds the project twice, each time from its own copy of the working tree in its own
# directory (so neither the path nor the time of a build may leak into an artifact), with the release profile
# (sources and javadoc jars too), and compares every jar and pom the two builds made, byte for byte.
#   scripts/check-reproducible.sh            # extra arguments go to both builds, e.g. -o for offline
# Exit 0 when every artifact is identical; 1 with the differing files (and their differing entries) otherwise.
# Builds with `package` only: nothing is installed into ~/.m2.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# one snapshot of the working tree (tracked and new files, no build output), copied for each build: both build the
# very same sources even if the tree changes meanwhile
mkdir "$work/build1"
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - --) | tar -xf - -C "$work/build1"
cp -a "$work/build1" "$work/build2"
for n in 1 2; do
  echo "build $n in $work/build$n ..." >&2
  start=$(date +%s)
  (cd "$work/build$n" && ./mvnw -B -q package -DskipTests -Prelease \
      -Depiphany.repository=https://repository.invalid/epiphany "$@") >&2
  echo "build $n took $(( $(date +%s) - start )) s" >&2
  [ "$n" = 1 ] && sleep 2  # a later wall-clock second for the second build: a leaked timestamp must show
done

status=0
count=0
cd "$work/build1"
while IFS= read -r -d '' f; do
  count=$((count + 1))
  if cmp -s "$f" "$work/build2/$f"; then
    echo "identical  $(sha256sum "$f" | cut -c1-16)  $f"
  else
    status=1
    echo "DIFFERENT  $f"
    if [[ "$f" == *.jar ]]; then
      diff <(unzip -Z -l "$f" | sort) <(unzip -Z -l "$work/build2/$f" | sort) | head -20 || true
    fi
  fi
done < <(find . -path '*/target/lib' -prune -o -path '*/target/*' \( -name '*.jar' -o -name '*.pom' \) -type f -print0 | sort -z)

if [ "$count" = 0 ]; then
  echo "no artifacts were built" >&2
  exit 1
fi
if [ "$status" = 0 ]; then
  echo "reproducible: all $count artifacts identical in two builds"
else
  echo "NOT reproducible: see DIFFERENT above"
fi
exit "$status"
