#!/bin/sh
# Writes a ready FreeSWITCH conf dir (freeswitch.xml + vars.xml) for PhoneVoice into $1, from
# the environment. Used by the native test bed (test/daemons) and the docker image alike.
#   FREESWITCH_SECRET (required)   ESL password; the well-known defaults are refused unless
#                                  PHONEVOICE_DEV_MODE=1
#   FREESWITCH_ESL_IP (127.0.0.1)  FREESWITCH_PORT (8021)  FREESWITCH_ESL_ALLOW (127.0.0.1/32)
#   FREESWITCH_SIP_IP (127.0.0.1)  FREESWITCH_SIP_PORT (5080)
#   FREESWITCH_RTP_IP (127.0.0.1; auto = the host's primary IPv4)
#   PUBLIC_IP (= RTP IP; auto allowed): the address announced in SDP, the public one behind NAT
#   RTP_PORT_MIN (20000) RTP_PORT_MAX (30000)  FREESWITCH_LOG_LEVEL (warning)
set -eu
out=${1:?usage: render-conf.sh <conf dir>}
here=$(cd "$(dirname "$0")" && pwd)

secret=${FREESWITCH_SECRET:?FREESWITCH_SECRET must be set (the ESL password PhoneVoice uses)}
case "$secret" in
  ClueCon|JambonzR0ck\$|cymru)
    if [ "${PHONEVOICE_DEV_MODE:-0}" != 1 ]; then
      echo "render-conf: refusing the well-known ESL password; set a random FREESWITCH_SECRET (or PHONEVOICE_DEV_MODE=1)" >&2
      exit 1
    fi ;;
esac

# Values become XML attributes via X-PRE-PROCESS set: no quotes, angle brackets or ampersands,
# and no '$' (FreeSWITCH would expand it); a hex or base64url secret is always fine.
check() {
  case "$2" in
    *[\"\<\>\&\$]*|'') echo "render-conf: $1 must not be empty or contain \" < > & \$" >&2; exit 1 ;;
  esac
}
rtp_ip=${FREESWITCH_RTP_IP:-127.0.0.1}
ext_rtp_ip=${PUBLIC_IP:-$rtp_ip}
esl_ip=${FREESWITCH_ESL_IP:-127.0.0.1}
esl_allow=${FREESWITCH_ESL_ALLOW:-127.0.0.1/32}
acl=phonevoice_app
for pair in "FREESWITCH_SECRET=$secret" "FREESWITCH_RTP_IP=$rtp_ip" "FREESWITCH_ESL_IP=$esl_ip" \
  "FREESWITCH_ESL_ALLOW=$esl_allow" "PUBLIC_IP=$ext_rtp_ip"; do
  check "${pair%%=*}" "${pair#*=}"
done
# auto: FreeSWITCH's own guess of the host's primary IPv4 address.
[ "$rtp_ip" = auto ] && rtp_ip='$${local_ip_v4}'
[ "$ext_rtp_ip" = auto ] && ext_rtp_ip='$${local_ip_v4}'

mkdir -p "$out"
cp "$here/conf/freeswitch.xml" "$out/freeswitch.xml"
umask 077
cat >"$out/vars.xml" <<VARS
<include>
  <X-PRE-PROCESS cmd="set" data="esl_ip=$esl_ip"/>
  <X-PRE-PROCESS cmd="set" data="esl_port=${FREESWITCH_PORT:-8021}"/>
  <X-PRE-PROCESS cmd="set" data="esl_password=$secret"/>
  <X-PRE-PROCESS cmd="set" data="esl_acl=$acl"/>
  <X-PRE-PROCESS cmd="set" data="esl_allow_cidr=$esl_allow"/>
  <X-PRE-PROCESS cmd="set" data="sip_ip=${FREESWITCH_SIP_IP:-127.0.0.1}"/>
  <X-PRE-PROCESS cmd="set" data="sip_port=${FREESWITCH_SIP_PORT:-5080}"/>
  <X-PRE-PROCESS cmd="set" data="rtp_ip=$rtp_ip"/>
  <X-PRE-PROCESS cmd="set" data="ext_rtp_ip=$ext_rtp_ip"/>
  <X-PRE-PROCESS cmd="set" data="rtp_start_port=${RTP_PORT_MIN:-20000}"/>
  <X-PRE-PROCESS cmd="set" data="rtp_end_port=${RTP_PORT_MAX:-30000}"/>
  <X-PRE-PROCESS cmd="set" data="rtp_timeout_sec=${FREESWITCH_RTP_TIMEOUT_SEC:-60}"/>
  <X-PRE-PROCESS cmd="set" data="max_sessions=${FREESWITCH_MAX_SESSIONS:-1000}"/>
  <X-PRE-PROCESS cmd="set" data="sessions_per_second=${FREESWITCH_SESSIONS_PER_SECOND:-100}"/>
  <X-PRE-PROCESS cmd="set" data="log_level=${FREESWITCH_LOG_LEVEL:-warning}"/>
  <!-- Plain RTP only. Unset, FreeSWITCH treats crypto as optional on the channels drachtio
       INVITEs in, so the offerless (3pcc) endpoint of an outbound call offers RTP/SAVP with
       a=crypto first; the callee answers plain RTP/AVP, yet FreeSWITCH keeps sending SRTP
       (PCMU ciphertext + an 8-byte GCM tag), which the callee decodes as loud noise. -->
  <X-PRE-PROCESS cmd="set" data="rtp_secure_media=forbidden"/>
</include>
VARS
