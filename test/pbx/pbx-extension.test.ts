/**
 * Set-up 1 of docs/api.md: PhoneVoice is extension 2050 of the company PBX. Real peers on
 * loopback: Kamailio is the PBX (registrar with digest, proxy auth for calls out, delivery to
 * the registered contact with the DID in To), baresip is the desk phone 2001. The config is
 * config/pbx.example.yaml as shipped, with only its addresses pointed here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/receiver.js';
import { espeakVoicedMs, soundProfile, speechWav } from './audio.js';
import { DeskPhone, haveBaresip } from './baresip.js';
import { haveKamailio, KamailioPbx } from './kamailio.js';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/ops/logger.js';
import { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { startTestServer } from '../support/harness.js';
import { describeOnEachEngine, exampleConfig, startStack, type Stack } from './stack.js';

const DOMAIN = 'pbx.example.internal';
const PASSWORD = 'change-me-extension-password'; // as written in config/pbx.example.yaml
const DID = '+15550001111';
const GREETING = 'Thank you for calling Acme support. Press one for sales.';
const peers = haveKamailio && haveBaresip;

const title = 'PBX extension (Kamailio + baresip): register, receive on the DID, call out with proxy auth';
describeOnEachEngine(title, peers ? null : 'kamailio or baresip not installed', (kind) => {
  let dir: string;
  let pbx: KamailioPbx;
  let stack: Stack;
  let assistantId: string;
  const phones: DeskPhone[] = [];

  const callsOf = async (direction: string) => (await stack.server.api('GET', `/v1/calls?direction=${direction}`)).json.data as Array<Record<string, any>>;
  const finished = (id: string) => waitFor(async () => {
    const c = (await stack.server.api('GET', `/v1/calls/${id}`)).json;
    return ['completed', 'failed', 'busy', 'no_answer', 'canceled'].includes(c.status) ? c : null;
  }, `call ${id} ended`, 30_000);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pv-pbx-'));
    pbx = await KamailioPbx.start({ domain: DOMAIN, pvPassword: PASSWORD });
    stack = await startStack(exampleConfig('pbx.example.yaml', { host: '127.0.0.1', port: pbx.port, allowed_sources: ['127.0.0.1/32'] }), kind);
    stack.ollama.script.fallback = { tokens: ['You pressed four two. Goodbye.'], firstTokenMs: 20 };
    assistantId = (await stack.server.createAssistant({ first_message: GREETING, llm: { provider: 'ollama', model: 'llama3.2:1b' }, endpointing_ms: 400 })).id;
    // The DID, not the extension: the PBX sends Request-URI 2050, so only To can route this call.
    await stack.server.bindNumber({ number: DID, assistant_id: assistantId, trunk: 'pbx' });
  }, 30_000);

  afterAll(async () => {
    for (const p of phones) await p.stop();
    await stack?.close();
    await pbx?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('registers as 2050 with digest and /readyz says so', async () => {
    const ready = await waitFor(async () => {
      const r = await stack.server.api('GET', '/readyz');
      return r.json.checks['trunk:pbx']?.registered ? r : null;
    }, 'trunk registered', 10_000);
    expect(ready.status).toBe(200);
    expect(ready.json.checks['trunk:pbx']).toMatchObject({ ready: true, registered: true, last_status: 200, next_retry_at: null });
  });

  it.each(['udp', 'tcp'] as const)('the desk phone (%s) dials the DID: the assistant answers, the phone hears the greeting, its keys land in the transcript', async (transport) => {
    const before = (await callsOf('inbound')).length;
    const mic = speechWav(dir, `mic-${transport}`, null, 0, 10);
    const phone = await DeskPhone.start({ pbxPort: pbx.port, extension: '2001', password: 'desk-secret', audioFile: mic, transport });
    phones.push(phone);
    await phone.registered();
    phone.dial(`sip:15550001111@127.0.0.1:${pbx.port};transport=${transport}`);
    await phone.waitFor((e) => e.type === 'CALL_ESTABLISHED', 10_000, 'call established');
    const call = await waitFor(async () => (await callsOf('inbound'))[0]?.status === 'in_progress' && (await callsOf('inbound')).length > before ? (await callsOf('inbound'))[0] : null, 'call in progress');
    expect(call).toMatchObject({ direction: 'inbound', from_number: DID, phone_number: '2001', assistant_id: assistantId });
    const answeredAt = Date.now();
    await new Promise((r) => setTimeout(r, 4500)); // the greeting plays
    const pressedAtMs = Date.now() - answeredAt;
    phone.press('42#');
    await phone.waitFor((e) => e.type === 'CALL_CLOSED', 15_000, 'phone hangs up when its audio ends');
    const ended = await finished(call!.id);
    expect(ended).toMatchObject({ status: 'completed', end_reason: 'customer_hangup' });

    const transcript = (await stack.server.api('GET', `/v1/calls/${call!.id}/transcript`)).json;
    const lines = transcript.utterances as Array<Record<string, any>>;
    expect(lines.length, JSON.stringify(transcript)).toBeGreaterThan(1);
    expect(lines[0]).toMatchObject({ role: 'assistant', kind: 'speech', text: GREETING });
    expect(lines.filter((l) => l.kind === 'dtmf').map((l) => l.text)).toEqual(['42#']);
    const hooks = stack.hooks.events().filter((e) => e.call_id === call!.id && e.event === 'call.transcription');
    expect(hooks.some((e) => (e.data as any).kind === 'dtmf' && (e.data as any).text === '42#')).toBe(true);

    // What the desk phone heard (baresip's sndfile recording of the decoded stream).
    const heard = phone.recordings().find((f) => f.endsWith('-dec.wav'));
    expect(heard, phone.recordings().join(', ')).toBeTruthy();
    // Before the keys: the greeting alone. Its voiced length matches espeak's own rendering of it.
    const greeting = soundProfile(heard!, pressedAtMs);
    const reference = espeakVoicedMs(dir, GREETING);
    console.log(`[pbx ${transport}] greeting heard on the phone: ${JSON.stringify(greeting)}; espeak reference voiced ${reference} ms`);
    expect(greeting.firstMs!).toBeLessThan(1500); // it starts right after the answer
    expect(greeting.peakRms).toBeGreaterThan(1000);
    expect(greeting.voicedMs).toBeGreaterThan(reference * 0.8);
    expect(greeting.voicedMs).toBeLessThan(reference * 1.25);
    // The assistant answered the keys (the fake LLM's reply, spoken after them).
    expect(lines.at(-1)).toMatchObject({ role: 'assistant', text: expect.stringMatching(/^You pressed four two/) });
    expect(soundProfile(heard!).voicedMs).toBeGreaterThan(greeting.voicedMs + 500);
    await phone.stop();
  }, 60_000);

  it('calls the desk phone out through the PBX: national format, 407 answered with digest, the phone hears the greeting', async () => {
    const mic = speechWav(dir, 'mic-out', 'Hello, this is the desk phone.', 0.5, 6);
    const phone = await DeskPhone.start({ pbxPort: pbx.port, extension: '2001', password: 'desk-secret', audioFile: mic });
    phones.push(phone);
    await phone.registered();
    const created = await stack.server.api('POST', '/v1/calls', { phone_number: '+15550002001', assistant_id: assistantId });
    expect(created.status, created.text).toBe(201);
    await phone.waitFor((e) => e.type === 'CALL_ESTABLISHED', 10_000, 'desk phone answered');
    const ended = await finished(created.json.id);
    expect(ended).toMatchObject({ direction: 'outbound', status: 'completed', end_reason: 'customer_hangup' });
    // The PBX saw our INVITE twice for that call: first challenged (407), then with credentials,
    // the number written as the trunk's numbering says (national: 1 555 000 2001).
    const invites = pbx.log.split('\n').filter((l) => l.includes('PBX INVITE ruri=sip:15550002001@'));
    expect(invites.length, pbx.log.slice(-2000)).toBe(2);
    expect(invites[0]).toContain(`from=sip:2050@${DOMAIN}`);
    const heardFile = phone.recordings().find((f) => f.endsWith('-dec.wav'))!;
    const heard = soundProfile(heardFile);
    console.log(`[pbx outbound] greeting heard on the phone: ${JSON.stringify(heard)}`);
    // The greeting, then quiet: its two sentences hold ≥ 80 % of espeak's voiced length, and the line
    // is quiet for at least 400 ms in the first 6 s (between the sentences, after the greeting).
    const first6s = soundProfile(heardFile, 6000);
    expect(heard.voicedMs).toBeGreaterThan(espeakVoicedMs(dir, GREETING) * 0.8);
    expect(6000 - first6s.voicedMs).toBeGreaterThan(400);
    await phone.stop();
  }, 60_000);
});

describe.skipIf(!peers)(peers ? 'PBX registration refused (Kamailio, embedded engine)' : 'PBX registration refused — skipped: kamailio or baresip not installed', () => {
  let pbx: KamailioPbx;
  beforeAll(async () => { pbx = await KamailioPbx.start({ domain: DOMAIN, pvPassword: PASSWORD }); });
  afterAll(async () => { await pbx?.stop(); });

  it('with a wrong password /readyz is not ready and shows the PBX\u2019s answer and the next try', async () => {
    const raw = exampleConfig('pbx.example.yaml', { host: '127.0.0.1', port: pbx.port, allowed_sources: ['127.0.0.1/32'], password: 'wrong' });
    const engine = new EmbeddedTelephony(configSchema.parse(raw), silentLogger);
    await engine.start();
    const server = await startTestServer({ telephony: engine, config: raw });
    try {
      const r = await waitFor(async () => {
        const res = await server.api('GET', '/readyz');
        return res.json.checks['trunk:pbx']?.last_status ? res : null;
      }, 'registration answered', 10_000);
      expect(r.status).toBe(503);
      expect(r.json.status).toBe('not_ready');
      expect(r.json.checks['trunk:pbx']).toMatchObject({ ready: false, registered: false, last_status: 401, detail: expect.stringContaining('401') });
      expect(Date.parse(r.json.checks['trunk:pbx'].next_retry_at)).toBeGreaterThan(Date.now());
      expect(r.json.checks.telephony).toMatchObject({ ready: false, detail: expect.stringContaining('not registered: pbx') });
      expect(JSON.stringify(r.json)).not.toContain('wrong'); // the password never shows
    } finally {
      await server.close();
      await engine.stop();
    }
  });
});
