/**
 * The README's "Hear it" path, as written: config/softphone.example.yaml (addresses pointed at
 * loopback), the trunk's catch-all bound to an assistant with `POST /v1/phone-numbers
 * {"number":"*","trunk":"softphone"}`, and baresip — a real softphone, no registrar — dialling
 * sip:100@<server>. The phone's own recording must hold the greeting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/receiver.js';
import { espeakVoicedMs, soundProfile, speechWav } from './audio.js';
import { DeskPhone, haveBaresip } from './baresip.js';
import { exampleConfig, startStack, type Stack } from './stack.js';

const GREETING = 'Hello, this is your PhoneVoice assistant. How can I help?';
const title = 'README quick path: a softphone calls in through the softphone trunk and hears the greeting';

describe.skipIf(!haveBaresip)(haveBaresip ? title : `${title} — skipped: baresip not installed`, () => {
  let dir: string;
  let stack: Stack;
  let phone: DeskPhone | null = null;
  let assistantId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pv-softphone-'));
    stack = await startStack(exampleConfig('softphone.example.yaml', { host: '127.0.0.1', allowed_sources: ['127.0.0.1'] }));
    assistantId = (await stack.server.createAssistant({ first_message: GREETING, llm: { provider: 'ollama', model: 'llama3.2:1b' } })).id;
    await stack.server.bindNumber({ number: '*', trunk: 'softphone', assistant_id: assistantId });
  }, 30_000);
  afterAll(async () => {
    await phone?.stop();
    await stack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('baresip dials sip:100@server, the assistant answers, the phone records the greeting', async () => {
    const mic = speechWav(dir, 'mic', null, 0, 7); // the phone says nothing and hangs up after 7 s
    phone = await DeskPhone.start({ pbxPort: stack.sipPort, extension: '2001', password: 'unused', audioFile: mic, register: false });
    phone.dial(`sip:100@127.0.0.1:${stack.sipPort}`);
    await phone.waitFor((e) => e.type === 'CALL_ESTABLISHED', 10_000, 'call established');
    const answeredAt = Date.now();
    await phone.waitFor((e) => e.type === 'CALL_CLOSED', 20_000, 'phone hangs up when its audio ends');

    const calls = (await stack.server.api('GET', '/v1/calls?direction=inbound')).json.data as Array<Record<string, any>>;
    expect(calls).toHaveLength(1);
    const call = await waitFor(async () => {
      const c = (await stack.server.api('GET', `/v1/calls/${calls[0]!.id}`)).json;
      return c.status === 'completed' ? c : null;
    }, 'call completed', 15_000);
    expect(call).toMatchObject({ direction: 'inbound', assistant_id: assistantId, end_reason: 'customer_hangup' });

    const heard = phone.recordings().find((f) => f.endsWith('-dec.wav'));
    expect(heard, phone.recordings().join(', ')).toBeTruthy();
    const greeting = soundProfile(heard!, Date.now() - answeredAt);
    const reference = espeakVoicedMs(dir, GREETING);
    console.log(`[softphone] greeting heard: ${JSON.stringify(greeting)}; espeak reference voiced ${reference} ms`);
    expect(greeting.firstMs!).toBeLessThan(1500);
    expect(greeting.peakRms).toBeGreaterThan(1000);
    expect(greeting.voicedMs).toBeGreaterThan(reference * 0.8);
    expect(greeting.voicedMs).toBeLessThan(reference * 1.25);
  }, 60_000);
});
