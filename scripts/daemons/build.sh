#!/usr/bin/env bash
# Builds the production media stack from the vendored upstream sources (../shared/vendor or
# $PHONEVOICE_VENDOR_DIR): drachtio-server, FreeSWITCH v1.10.12 and jambonz's mod_audio_fork, into
# $PHONEVOICE_DAEMONS_PREFIX (default /var/cache/phonevoice/daemons), outside the repository.
# A stamp holding the sources' SHA256SUMS (plus this recipe's version) makes a second run a no-op.
# About 20 minutes on 2 cores at nice 19.
# Usage: scripts/daemons/build.sh [--force | --check]  (--check: exit 0 when the prefix is up to date)
set -u -o pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PREFIX=${PHONEVOICE_DAEMONS_PREFIX:-/var/cache/phonevoice/daemons}
VENDOR=${PHONEVOICE_VENDOR_DIR:-$(cd "$REPO/.." && pwd)/shared/vendor}
[ -d "$VENDOR" ] || VENDOR=/work/shared/vendor
JOBS=${PHONEVOICE_BUILD_JOBS:-2}
# No debug info: it costs a third of the compile time of drachtio's Boost-heavy C++ and nobody
# debugs these binaries here. Override for a debug build (PHONEVOICE_BUILD_CFLAGS="-O0 -g").
OPT_FLAGS=${PHONEVOICE_BUILD_CFLAGS:--O2 -g0}
export CFLAGS="$OPT_FLAGS" CXXFLAGS="$OPT_FLAGS"
RECIPE=1 # bump when the build steps change so stamped prefixes are rebuilt
STAMP="$PREFIX/.stamp"
LOG="$PREFIX/build.log" # setup steps; each half logs to build-<name>.log
# shellcheck source=lib.sh
. "$HERE/lib.sh"
. "$HERE/build-drachtio.sh"
. "$HERE/build-freeswitch.sh"

# Everything runs from main, parsed whole before it starts: editing this file during a
# build cannot derail the running one.
main() {
  [ -f "$VENDOR/SHA256SUMS" ] || { step "no vendored sources at $VENDOR (set PHONEVOICE_VENDOR_DIR)"; exit 2; }
  want="recipe $RECIPE"$'\n'"$(cat "$VENDOR/SHA256SUMS")"
  stamped() { [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; }
  if [ "${1:-}" = "--check" ]; then stamped; exit $?; fi
  if [ "${1:-}" != "--force" ] && stamped; then
    step "up to date in $PREFIX (stamp matches the vendored sources)"
    exit 0
  fi

  mkdir -p "$PREFIX" || { step "cannot create $PREFIX"; exit 1; }
  # One build at a time per prefix (two test runs starting together): the second waits, then
  # finds the stamp and reuses the first one's build.
  exec 9>"$PREFIX/.lock"
  if ! flock -n 9; then
    step "another build is running in $PREFIX; waiting for it"
    flock 9
    if [ "${1:-}" != "--force" ] && stamped; then step "up to date in $PREFIX (built by the other run)"; exit 0; fi
  fi
  : >"$LOG"
  started=$(date +%s)
  step "building drachtio-server + FreeSWITCH v1.10.12 + mod_audio_fork into $PREFIX (logs: $PREFIX/build-*.log)"
  install_build_packages
  (cd "$VENDOR" && quiet sha256sum -c SHA256SUMS) || fail "vendored archives do not match SHA256SUMS"

  rm -f "$STAMP"
  rm -rf "$PREFIX/drachtio" "$PREFIX/freeswitch" "$PREFIX/deps"
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/phonevoice-daemons.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
  # The two halves share nothing: build them side by side (configure and bootstrap steps are
  # single-threaded, so together they keep both cores busy). Each logs to its own file.
  (LOG="$PREFIX/build-drachtio.log"; : >"$LOG"; build_drachtio) & local drachtio=$!
  (LOG="$PREFIX/build-freeswitch.log"; : >"$LOG"; build_freeswitch) & local freeswitch=$!
  local failed=0
  wait "$drachtio" || failed=1
  wait "$freeswitch" || failed=1
  [ $failed -eq 0 ] || { step "build failed (logs: $PREFIX/build-*.log)"; exit 1; }
  printf '%s\n' "$want" >"$STAMP"
  step "done in $(( ($(date +%s) - started) / 60 )) min $(( ($(date +%s) - started) % 60 )) s"
}

main "$@"
