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
});
