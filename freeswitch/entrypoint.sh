#!/bin/sh
# PhoneVoice's entrypoint for the drachtio/drachtio-freeswitch-mrf image: renders our
# event socket and drachtio_mrf profile from the environment, sets the RTP port range,
# then runs FreeSWITCH in the foreground. Mounted read-only at /phonevoice-freeswitch.
set -eu

CONF=${FREESWITCH_CONF:-/usr/local/freeswitch/conf}
HERE=$(dirname "$0")

: "${FREESWITCH_SECRET:?FREESWITCH_SECRET must be set (the ESL password PhoneVoice uses)}"
ESL_IP=${FREESWITCH_ESL_IP:-127.0.0.1}
ESL_PORT=${FREESWITCH_PORT:-8021}
SIP_IP=${FREESWITCH_SIP_IP:-127.0.0.1}
SIP_PORT=${FREESWITCH_SIP_PORT:-5080}
RTP_IP=${FREESWITCH_RTP_IP:-auto}
EXT_RTP_IP=${PUBLIC_IP:-auto}
RTP_START=${RTP_PORT_MIN:-20000}
RTP_END=${RTP_PORT_MAX:-30000}

# auto → FreeSWITCH's own detection of the host's primary IPv4 address.
[ "$RTP_IP" = auto ] && RTP_IP='$${local_ip_v4}'
[ "$EXT_RTP_IP" = auto ] && EXT_RTP_IP='$${local_ip_v4}'

# Escape a value for an XML attribute, then for a sed replacement (delimiter |).
esc() {
  printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' \
    | sed -e 's/[\\|&]/\\&/g'
}

render() {
  sed -e "s|@@ESL_IP@@|$(esc "$ESL_IP")|g" \
      -e "s|@@ESL_PORT@@|$(esc "$ESL_PORT")|g" \
      -e "s|@@ESL_PASSWORD@@|$(esc "$FREESWITCH_SECRET")|g" \
      -e "s|@@SIP_IP@@|$(esc "$SIP_IP")|g" \
      -e "s|@@SIP_PORT@@|$(esc "$SIP_PORT")|g" \
      -e "s|@@RTP_IP@@|$(esc "$RTP_IP")|g" \
      -e "s|@@EXT_RTP_IP@@|$(esc "$EXT_RTP_IP")|g" \
      "$1" > "$2"
}

render "$HERE/templates/event_socket.conf.xml" "$CONF/autoload_configs/event_socket.conf.xml"
render "$HERE/templates/mrf.xml" "$CONF/sip_profiles/mrf.xml"
chmod 600 "$CONF/autoload_configs/event_socket.conf.xml"

# RTP range: must match the firewall and, behind NAT, the forwarded range.
sed -i -e "s|name=\"rtp-start-port\" value=\"[0-9]*\"|name=\"rtp-start-port\" value=\"$RTP_START\"|" \
       -e "s|name=\"rtp-end-port\" value=\"[0-9]*\"|name=\"rtp-end-port\" value=\"$RTP_END\"|" \
       "$CONF/autoload_configs/switch.conf.xml"

# -nf: stay in the foreground (the container's main process); -nonat: no UPnP/NAT-PMP probing.
exec freeswitch -nonat -nf -nc "$@"
