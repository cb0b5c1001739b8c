# syntax=docker/dockerfile:1
# drachtio-server + FreeSWITCH v1.10.12 + jambonz mod_audio_fork, built from the same vendored
# upstream sources (and the same script) as the native test bed: the versions in production are
# the versions the test suite ran against. Works offline once the Debian mirror is reachable.
#
#   docker compose build daemons      (the vendored archives come in as the `vendor` context,
#                                      PHONEVOICE_VENDOR_DIR, default ../shared/vendor)
#
# One stage on purpose: the daemons link many Debian libraries dynamically, and this image is
# what scripts/daemons/build.sh produces and the tests exercise; trimming it is a later step.
FROM debian:bookworm-slim
ENV DEBIAN_FRONTEND=noninteractive \
    PHONEVOICE_DAEMONS_PREFIX=/opt/phonevoice/daemons
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates xz-utils procps \
 && rm -rf /var/lib/apt/lists/*
COPY scripts/daemons /src/scripts/daemons
COPY --from=vendor . /src/vendor
RUN PHONEVOICE_VENDOR_DIR=/src/vendor /src/scripts/daemons/build.sh \
 && rm -rf /var/lib/apt/lists/* /src/vendor
COPY freeswitch/render-conf.sh freeswitch/entrypoint.sh /opt/phonevoice/freeswitch/
COPY freeswitch/conf /opt/phonevoice/freeswitch/conf
COPY drachtio/drachtio.conf.xml /opt/phonevoice/drachtio/drachtio.conf.xml
RUN ln -s /opt/phonevoice/daemons/drachtio/bin/drachtio /usr/local/bin/drachtio \
 && ln -s /opt/phonevoice/daemons/freeswitch/bin/fs_cli /usr/local/bin/fs_cli
