import { describe, expect, it } from 'vitest';
import type { MediaEndpoint } from './media-server.js';
import { applyAnswer, unusableAnswer } from './srtp-answer.js';

const sdp = (profile: string) => `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 ${profile} 0 101\r\na=rtpmap:0 PCMU/8000\r\n`;

describe('an answer to FreeSWITCH\'s offer', () => {
  it('is refused when FreeSWITCH offered SRTP and the callee answered plain RTP (it would get ciphertext)', () => {
    expect(unusableAnswer(sdp('RTP/SAVP'), sdp('RTP/AVP'))).toMatch(/offered RTP\/SAVP and the callee answered RTP\/AVP.*rtp_secure_media=forbidden/);
    expect(unusableAnswer(sdp('UDP/TLS/RTP/SAVPF'), sdp('RTP/AVPF'))).not.toBeNull();
  });

  it('is used when both sides agree on the profile', () => {
    expect(unusableAnswer(sdp('RTP/AVP'), sdp('RTP/AVP'))).toBeNull();
    expect(unusableAnswer(sdp('RTP/SAVP'), sdp('RTP/SAVP'))).toBeNull();
  });

  it('reaches the endpoint only when usable', async () => {
    const given: string[] = [];
    const endpoint = { localSdp: sdp('RTP/SAVP'), modify: async (s: string) => { given.push(s); } } as unknown as MediaEndpoint;
    await expect(applyAnswer(endpoint, sdp('RTP/AVP'))).rejects.toThrow(/would send it SRTP/);
    await applyAnswer(endpoint, sdp('RTP/SAVP'));
    expect(given).toEqual([sdp('RTP/SAVP')]);
  });
});
