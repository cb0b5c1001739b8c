import { describe, expect, it } from 'vitest';
import { answerDirection, buildSdp, negotiate, offerCodecs, parseRemote } from './sdp.js';

describe('SDP offer/answer for G.711', () => {
  const offer = ['v=0', 'o=- 1 1 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0', 'm=audio 4000 RTP/AVP 18 8 0 96', 'a=rtpmap:18 G729/8000', 'a=rtpmap:96 telephone-event/8000', 'a=sendonly', ''].join('\r\n');

  it('picks the peer’s preferred codec among ours and finds its telephone-event payload type', () => {
    const remote = parseRemote(offer)!;
    expect(remote).toMatchObject({ address: '10.0.0.1', port: 4000, dtmfPayloadType: 96, direction: 'sendonly' });
    expect(negotiate(remote, ['PCMU', 'PCMA'])).toMatchObject({ codec: 'PCMA', payloadType: 8 });
    expect(negotiate(remote, ['PCMU'])).toMatchObject({ codec: 'PCMU', payloadType: 0 });
    expect(negotiate({ ...remote, codecs: [] }, ['PCMU'])).toBeNull();
    expect(answerDirection('sendonly')).toBe('recvonly');
  });

  it('writes offers in our configured codec order with telephone-event and ptime 20', () => {
    const sdp = buildSdp({ address: '192.0.2.5', port: 30000, codecs: offerCodecs(['PCMA', 'PCMU']), direction: 'sendrecv', sessionId: 1, version: 0 });
    expect(sdp).toContain('m=audio 30000 RTP/AVP 8 0 101');
    expect(sdp).toContain('a=ptime:20');
    expect(parseRemote(sdp)?.codecs.map((c) => c.codec)).toEqual(['PCMA', 'PCMU']);
  });

  const withMedia = (...media: string[]) => ['v=0', 'o=- 1 1 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0', ...media, ''].join('\r\n');

  it('treats any encoding name as opaque, an all-digits one included', () => {
    const digitsOnly = parseRemote(withMedia('m=audio 4000 RTP/AVP 96', 'a=rtpmap:96 1234/8000'));
    expect(digitsOnly).toMatchObject({ port: 4000, codecs: [] });
    expect(negotiate(digitsOnly!, ['PCMU'])).toBeNull();
    const mixed = parseRemote(withMedia('m=audio 4000 RTP/AVP 96 0', 'a=rtpmap:96 1234/8000', 'a=rtpmap:0 PCMU/8000'));
    expect(negotiate(mixed!, ['PCMU'])).toMatchObject({ codec: 'PCMU', payloadType: 0 });
  });

  it('refuses malformed media lines and addresses instead of guessing', () => {
    for (const bad of [
      withMedia('m=audio notaport RTP/AVP 0'), withMedia('m=audio 70000 RTP/AVP 0'), withMedia('m=audio 4000 RTP/AVP'),
      withMedia('m=audio 4000 RTP/AVP 0 abc'), withMedia('m=audio 4000 RTP/AVP 300'), withMedia('m=audio'),
      withMedia('m=audio 4000 RTP/AVP 0', 'a=rtpmap:0'), withMedia('m=audio 4000 RTP/AVP 0', 'c=IN IP4 not.an.ip'),
      withMedia('m=audio 4000 RTP/AVP 0', 'this is no sdp line'), 'v=0\r\nc=IN IP4 10.0.0.1\r\n', 'not sdp!!', '',
      ['v=0', 's=-', 't=0 0', 'm=audio 4000 RTP/AVP 0', ''].join('\r\n'),
    ]) expect(parseRemote(bad), bad).toBeNull();
    // A video stream or a rejected (port 0) audio stream before the real one is skipped, not fatal.
    expect(parseRemote(withMedia('m=video 5000 RTP/AVP 31', 'm=audio 0 RTP/AVP 0', 'm=audio 4002 RTP/AVP 8'))).toMatchObject({ port: 4002, codecs: [{ codec: 'PCMA' }] });
    // c=0.0.0.0 (old-style hold) stays readable.
    expect(parseRemote(withMedia('m=audio 4000 RTP/AVP 0', 'c=IN IP4 0.0.0.0'))?.address).toBe('0.0.0.0');
  });
});
