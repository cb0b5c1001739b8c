# FreeSWITCH v1.10.12 with a small module set, its sofia-sip and spandsp in a private prefix, and
# jambonz's mod_audio_fork compiled out of tree against the installed FreeSWITCH
# (sourced by build.sh; uses $WORK $PREFIX $JOBS $HERE).

FS_MODULES=(
  applications/mod_commands applications/mod_dptools dialplans/mod_dialplan_xml
  endpoints/mod_sofia event_handlers/mod_event_socket formats/mod_sndfile
  formats/mod_native_file formats/mod_tone_stream loggers/mod_console loggers/mod_logfile
)

build_autotools_dep() { # name, extra configure args…
  local name=$1; shift
  cd "$WORK" || fail "cd $WORK"
  unpack "$name"
  cd "$name" || fail "cd $name"
  step "freeswitch: $name"
  quiet ./bootstrap.sh || quiet autoreconf -fi || fail "$name bootstrap"
  quiet ./configure --prefix="$PREFIX/deps" "$@" || fail "$name configure"
  quiet make -j"$JOBS" || fail "$name make"
  quiet make install || fail "$name install"
}

build_freeswitch() {
  export PKG_CONFIG_PATH="$PREFIX/deps/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  # The daemons find sofia-sip and spandsp in our prefix without LD_LIBRARY_PATH.
  export LDFLAGS="-Wl,-rpath,$PREFIX/deps/lib -Wl,-rpath,$PREFIX/freeswitch/lib"
  # FreeSWITCH's bootstrap (autoreconf of its many libs, minutes of one core) needs neither
  # sofia-sip nor spandsp: it runs beside them, and configure waits for all three.
  (LOG="$LOG.bootstrap"; : >"$LOG"; bootstrap_freeswitch) & local boot=$!
  build_autotools_dep sofia-sip
  build_autotools_dep spandsp
  wait "$boot" || fail "freeswitch bootstrap (log: $LOG.bootstrap)"

  cd "$WORK/freeswitch" || fail "cd freeswitch"
  step "freeswitch: configure"
  quiet ./configure --prefix="$PREFIX/freeswitch" --disable-libvpx --disable-libyuv \
    --without-pgsql --without-odbc --disable-core-pgsql-support --disable-core-odbc-support \
    || fail "freeswitch configure"
  step "freeswitch: make (~8 min)"
  quiet make -j"$JOBS" || fail "freeswitch make"
  quiet make install || fail "freeswitch install"
  [ -x "$PREFIX/freeswitch/bin/freeswitch" ] || fail "freeswitch binary not installed"
  build_audio_fork
}

bootstrap_freeswitch() {
  cd "$WORK" || fail "cd $WORK"
  unpack freeswitch
  cd freeswitch || fail "cd freeswitch"
  printf '%s\n' "${FS_MODULES[@]}" >modules.conf
  step "freeswitch: bootstrap"
  quiet ./bootstrap.sh -j || fail "freeswitch bootstrap"
}

build_audio_fork() {
  cd "$WORK" || fail "cd $WORK"
  unpack freeswitch-modules
  cd freeswitch-modules/mod_audio_fork || fail "cd mod_audio_fork"
  step "freeswitch: mod_audio_fork (out of tree)"
  export PKG_CONFIG_PATH="$PREFIX/freeswitch/lib/pkgconfig:$PKG_CONFIG_PATH"
  local moddir
  moddir=$(pkg-config --variable=modulesdir freeswitch) || fail "pkg-config freeswitch"
  local cflags libs
  cflags=$(pkg-config --cflags freeswitch libwebsockets) || fail "pkg-config cflags"
  libs=$(pkg-config --libs freeswitch libwebsockets) || fail "pkg-config libs"
  # shellcheck disable=SC2086 # pkg-config output is a word list on purpose
  {
    quiet gcc -c -fPIC -O2 $cflags -o mod_audio_fork.o mod_audio_fork.c &&
    quiet g++ -shared -fPIC -O2 -std=c++17 -msse2 -DUSE_SSE2 $cflags -o mod_audio_fork.so \
      mod_audio_fork.o lws_glue.cpp parser.cpp audio_pipe.cpp vector_math.cpp \
      $libs -lboost_system -lboost_thread -Wl,-rpath,"$PREFIX/deps/lib" -Wl,-rpath,"$PREFIX/freeswitch/lib"
  } || fail "mod_audio_fork compile"
  install -m 0755 mod_audio_fork.so "$moddir/" || fail "mod_audio_fork install"
  step "freeswitch: installed $PREFIX/freeswitch (modules in $moddir)"
}
