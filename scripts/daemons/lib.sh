# Shared helpers for the daemon build scripts (sourced, not run).
# Every step logs to $LOG; on failure the caller prints the log's tail so CI shows the reason.

step() { printf 'daemons: [%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# Runs a command at the lowest CPU priority with its output in the log; returns its status.
quiet() {
  printf '\n### %s\n### in %s\n' "$*" "$PWD" >>"$LOG"
  nice -n 19 "$@" >>"$LOG" 2>&1
}

fail() {
  step "FAILED: $* — last lines of $LOG:"
  tail -n 40 "$LOG" >&2
  exit 1
}

# Unpacks vendor/<name>.tar.xz into the current folder (each archive holds one top folder <name>/).
unpack() { quiet tar -xJf "$VENDOR/$1.tar.xz" || fail "unpack $1"; }

# Debian packages the builds need; installed only when missing (CI machines start bare).
DEB_PACKAGES=(
  build-essential cmake autoconf automake libtool libtool-bin pkg-config
  libssl-dev libcurl4-openssl-dev zlib1g-dev libgoogle-perftools-dev libboost-all-dev
  libjpeg-dev libsqlite3-dev libpcre3-dev libspeex-dev libspeexdsp-dev libldns-dev libedit-dev
  libtiff-dev yasm libopus-dev libsndfile1-dev uuid-dev libncurses-dev libwebsockets-dev xz-utils
)

install_build_packages() {
  local missing=() p
  for p in "${DEB_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  step "installing Debian build packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" != "0" ]; then
    command -v sudo >/dev/null 2>&1 || fail "not root and no sudo: install ${missing[*]}"
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  quiet $sudo apt-get update -qq || step "apt-get update failed; trying the install anyway"
  quiet $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" || fail "apt-get install ${missing[*]}"
}
