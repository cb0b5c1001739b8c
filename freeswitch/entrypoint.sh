#!/bin/sh
# FreeSWITCH as PhoneVoice runs it (docker image built by docker/daemons.Dockerfile, or any host
# with the build of scripts/daemons/build.sh): renders our own config from the environment
# (render-conf.sh: ESL password and address, drachtio_mrf profile, RTP range, the mrf
# dialplan), then runs FreeSWITCH in the foreground with mod_audio_fork loaded.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${PHONEVOICE_DAEMONS_PREFIX:-/opt/phonevoice/daemons}
STATE=${FREESWITCH_STATE_DIR:-/var/lib/phonevoice-freeswitch}
CONF=${FREESWITCH_CONF_DIR:-$STATE/conf}

"$HERE/render-conf.sh" "$CONF"
for d in log db run temp recordings; do mkdir -p "$STATE/$d"; done
export MOD_AUDIO_FORK_SUBPROTOCOL_NAME=${MOD_AUDIO_FORK_SUBPROTOCOL_NAME:-audio.drachtio.org}

# -nf: foreground (the container's main process); -nonat: no UPnP/NAT-PMP probing; -nc: no console.
exec "$PREFIX/freeswitch/bin/freeswitch" -nonat -nf -nc -conf "$CONF" -log "$STATE/log" -db "$STATE/db" \
  -run "$STATE/run" -temp "$STATE/temp" -recordings "$STATE/recordings" -mod "$PREFIX/freeswitch/lib/freeswitch/mod"
