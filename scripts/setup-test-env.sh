#!/usr/bin/env bash
# Installs the system tools the test suite drives as real peers (SIPp, espeak-ng, sox, Chromium…) and the
# language runtimes that run the seed's webhook verifiers. Idempotent and quiet when all is there.
# Runs as `pretest`, so `npm test` on a fresh Debian machine needs nothing else.
set -u
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have sipp || need+=(sip-tester)
have espeak-ng || need+=(espeak-ng)
have sox || need+=(sox)
have ruby || need+=(ruby)
dpkg -s ruby-activesupport >/dev/null 2>&1 || need+=(ruby-activesupport)
have php || need+=(php-cli)
have go || need+=(golang-go)
have gnuplot || need+=(gnuplot-nox)
have tshark || need+=(tshark)
have python3 || need+=(python3)
# test/pbx: Kamailio plays the company PBX (registrar, proxy auth, Diversion), baresip a desk phone.
have kamailio || need+=(kamailio)
have baresip || need+=(baresip)
# test/sip/fail2ban.test.ts: fail2ban-regex checks config/fail2ban against the log of real failed digests
# (Debian's package also installs the fail2ban service, with its default sshd jail).
have fail2ban-regex || need+=(fail2ban)
# The dashboard's browser tests drive Debian's Chromium (never a downloaded browser), with a font to draw text.
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)

# The production media stack (drachtio-server + FreeSWITCH + mod_audio_fork) built from the
# vendored sources for test/daemons; a stamped build is reused in about a second.
daemons() {
  [ "${PHONEVOICE_SKIP_DAEMONS:-0}" = 1 ] && { echo "setup: PHONEVOICE_SKIP_DAEMONS=1: real-daemon tests will be skipped"; return 0; }
  local here; here=$(dirname "$0")
  if ! bash "$here/daemons/build.sh" --check >/dev/null 2>&1; then
    echo "setup: building drachtio-server + FreeSWITCH from vendored sources (~20 min on 2 cores, once; log in ${PHONEVOICE_DAEMONS_PREFIX:-/var/cache/phonevoice/daemons}/build.log)"
  fi
  bash "$here/daemons/build.sh"
  local rc=$?
  # 2 = no vendored sources on this machine: the real-daemon tests skip and say so.
  [ $rc -eq 2 ] && return 0
  return $rc
}
if [ "${PHONEVOICE_SKIP_SETUP:-0}" = 1 ]; then
  echo "setup: PHONEVOICE_SKIP_SETUP=1: installing nothing${need[*]:+ (missing: ${need[*]})}; tests that need a missing tool are skipped with a reason"
  exit 0
fi
trap 'rc=$?; [ $rc -eq 0 ] && { daemons; rc=$?; }; exit $rc' EXIT

if [ ${#need[@]} -eq 0 ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if have sudo; then SUDO="sudo"; else
    echo "setup: not root and no sudo: install these Debian packages yourself: ${need[*]} (tests that need them are skipped with a reason)" >&2
    exit 0
  fi
fi
# Say what is about to be installed, and how not to, before doing it.
echo "setup: the tests drive real peers and need these Debian packages: ${need[*]}"
echo "setup: running: ${SUDO:+$SUDO }apt-get install -y --no-install-recommends ${need[*]}   (to install nothing: PHONEVOICE_SKIP_SETUP=1 npm test)"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null 2>&1 || echo "setup: apt-get update failed; trying the install anyway" >&2
if ! $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/tmp/phonevoice-apt.log 2>&1; then
  echo "setup: apt-get install failed (see /tmp/phonevoice-apt.log); tests needing ${need[*]} will be skipped with a reason" >&2
fi
exit 0
