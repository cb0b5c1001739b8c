/**
 * Set-up 2 of docs/api.md: the PBX forwards calls for other extensions to PhoneVoice and says so
 * in Diversion (RFC 5806). Kamailio plays the PBX: Bob (extension 2002, DID +1 555 000 2002)
 * forwards everything to PhoneVoice's extension 2050. With the trunk reading Diversion first,
 * Bob's own assistant answers; the PBX's Request-URI (2050) alone would reach the front desk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../support/receiver.js';
import { espeakVoicedMs, soundProfile, speechWav } from './audio.js';
import { DeskPhone, haveBaresip } from './baresip.js';
import { haveKamailio, KamailioPbx } from './kamailio.js';
import { describeOnEachEngine, exampleConfig, startStack, type Stack } from './stack.js';

const DOMAIN = 'pbx.example.internal';
const PASSWORD = 'change-me-extension-password';
const BOB_GREETING = 'You have reached Bob. He is away, I can take a message.';
const peers = haveKamailio && haveBaresip;
const title = 'PBX forwarding with Diversion (Kamailio + baresip)';

describeOnEachEngine(title, peers ? null : 'kamailio or baresip not installed', (kind) => {
  let dir: string;
  let pbx: KamailioPbx;
  let stack: Stack;
  let frontDesk: string;
  let bob: string;
  let phone: DeskPhone | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pv-fwd-'));
    pbx = await KamailioPbx.start({ domain: DOMAIN, pvPassword: PASSWORD });
    stack = await startStack(exampleConfig('pbx.example.yaml', {
      host: '127.0.0.1', port: pbx.port, allowed_sources: ['127.0.0.1/32'],
      called_number_from: ['diversion', 'history_info', 'request_uri', 'to'],
    }), kind);
    const llm = { provider: 'ollama', model: 'llama3.2:1b' };
    frontDesk = (await stack.server.createAssistant({ name: 'Front desk', first_message: 'Acme front desk, hello.', llm })).id;
    bob = (await stack.server.createAssistant({ name: 'Bob voicemail', first_message: BOB_GREETING, llm })).id;
    await stack.server.bindNumber({ number: '2050', assistant_id: frontDesk, trunk: 'pbx' });
    await stack.server.bindNumber({ number: '2002', assistant_id: bob, trunk: 'pbx' });
    await waitFor(async () => (await stack.server.api('GET', '/readyz')).status === 200 || null, 'registered', 10_000);
  }, 30_000);

  afterAll(async () => {
    await phone?.stop();
    await stack?.close();
    await pbx?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a call to Bob’s DID, forwarded by the PBX, reaches Bob’s assistant and the caller hears it', async () => {
    phone = await DeskPhone.start({ pbxPort: pbx.port, extension: '2001', password: 'desk-secret', audioFile: speechWav(dir, 'mic', null, 0, 6) });
    await phone.registered();
    phone.dial(`sip:15550002002@127.0.0.1:${pbx.port}`);
    await phone.waitFor((e) => e.type === 'CALL_CLOSED', 20_000, 'phone hangs up when its audio ends');
    const call = await waitFor(async () => {
      const c = (await stack.server.api('GET', '/v1/calls?direction=inbound')).json.data[0];
      return c?.status === 'completed' ? c : null;
    }, 'call completed');
    // Diversion said 2002; Request-URI said 2050 (the front desk) and To the DID.
    expect(call).toMatchObject({ assistant_id: bob, from_number: '2002', phone_number: '2001' });
    expect(pbx.log).toMatch(/PBX INVITE ruri=sip:15550002002@/);
    const heard = soundProfile(phone.recordings().find((f) => f.endsWith('-dec.wav'))!);
    const reference = espeakVoicedMs(dir, BOB_GREETING);
    console.log(`[pbx forwarding] Bob's greeting heard on the phone: ${JSON.stringify(heard)}; espeak reference voiced ${reference} ms`);
    expect(heard.voicedMs).toBeGreaterThan(reference * 0.8);
    expect(heard.voicedMs).toBeLessThan(reference * 1.25);
  }, 40_000);
});
