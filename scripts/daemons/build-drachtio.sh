# drachtio-server from the vendored sources (sourced by build.sh; uses $WORK $PREFIX $JOBS).
# Its Makefile builds the deps in deps/; prometheus-cpp is configured by us first because the
# upstream rule turns its tests on, which needs googletest.

build_drachtio() {
  cd "$WORK" || fail "cd $WORK"
  unpack drachtio-server
  cd drachtio-server/deps || fail "drachtio deps"
  rmdir jansson hiredis prometheus-cpp sofia-sip 2>/dev/null
  unpack jansson
  unpack hiredis
  unpack prometheus-cpp
  unpack sofia-sip-drachtio
  mv sofia-sip-drachtio sofia-sip || fail "rename sofia-sip"
  rmdir prometheus-cpp/3rdparty/civetweb 2>/dev/null
  (cd prometheus-cpp/3rdparty && unpack civetweb) || fail "civetweb"

  step "drachtio: prometheus-cpp (tests off)"
  mkdir -p prometheus-cpp/build && cd prometheus-cpp/build || fail "prometheus build dir"
  quiet cmake .. -DENABLE_TESTING=OFF -DENABLE_PUSH=OFF -DBUILD_SHARED_LIBS=OFF \
    -DCMAKE_INSTALL_LIBDIR=lib -DCMAKE_INSTALL_PREFIX="$PWD" || fail "prometheus-cpp cmake"
  quiet make -j"$JOBS" || fail "prometheus-cpp make"
  quiet make install || fail "prometheus-cpp install"
  # drachtio links the pull library; with push off make sure the rule's targets exist.
  [ -f lib/libprometheus-cpp-pull.a ] || fail "prometheus-cpp pull library missing"

  cd "$WORK/drachtio-server" || fail "cd drachtio-server"
  step "drachtio: bootstrap + configure"
  quiet ./bootstrap.sh || fail "drachtio bootstrap"
  quiet ./configure --prefix="$PREFIX/drachtio" --enable-tcmalloc=yes || fail "drachtio configure"
  step "drachtio: make (sofia-sip, jansson, hiredis, server; ~10 min)"
  quiet make -j"$JOBS" || fail "drachtio make"
  quiet make install || fail "drachtio install"
  [ -x "$PREFIX/drachtio/bin/drachtio" ] || fail "drachtio binary not installed"
  step "drachtio: installed $PREFIX/drachtio/bin/drachtio"
}
