/**
 * A provider failure over real SIP: the model server answers the caller's first turn with HTTP
 * 500. On the wire (the stereo recording of what crossed it) the apology starts right after the
 * caller's words — within endpointing + 500 ms — it is in the transcript and its
 * `call.transcription` webhook, and the call ends with the documented `llm_error`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpeechToText } from '../../src/providers/types.js';
import { FakeOllamaServer } from '../fakes/fake-ollama.js';
import { freePort } from '../sip/harness.js';
import { bursts, makeCallerAudio } from './caller-audio.js';
import { callWithSipp } from './sipp-caller.js';
import { startVoiceServer, type VoiceServer } from './voice-server.js';

const NUMBER = '+15550112';
const ENDPOINTING_MS = 500;

describe('e2e: the model fails mid-call', () => {
  let dir: string;
  let ollama: FakeOllamaServer;
  let voice: VoiceServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pv-e2e-fail-'));
    ollama = await new FakeOllamaServer([{ status: 500 }, { json: { sentiment: 'neutral', intent: null, summary: 'Failed call.', success: false } }]).start();
    const stt: SpeechToText = { name: 'fixed-stt', transcribe: async () => ({ text: 'Hello, I need help with my order.' }) };
    voice = await startVoiceServer({ stt });
    const assistant = await voice.server.createAssistant({
      first_message: null, first_message_mode: 'wait_for_user', endpointing_ms: ENDPOINTING_MS,
      llm: { provider: 'ollama', url: ollama.url, model: 'llama3.2:1b' },
    });
    expect((await voice.server.api('POST', '/v1/phone-numbers', { number: NUMBER, assistant_id: assistant.id, trunk: 'local' })).status).toBe(201);
  }, 30_000);

  afterAll(async () => {
    await voice?.close();
    await ollama?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('apology on the line within endpointing + 500 ms of the caller\'s last word, in the transcript and webhooks; end reason llm_error', async () => {
    const audio = makeCallerAudio(dir, [['silence', 3], ['say', 'Hello, I need help with my order.'], ['silence', 7]]);
    const result = await callWithSipp({ remote: `127.0.0.1:${voice.engine.sipPort}`, localPort: await freePort(), service: NUMBER, audioFile: audio.file, hangupAfterMs: audio.ms + 500, timeoutS: 40 });
    // The server hangs up after the apology: SIPp's own BYE then gets no 200, whatever its exit code.
    const completed = await voice.completed();
    expect(completed.data, result.output).toMatchObject({ status: 'completed', end_reason: 'llm_error' });
    const lines = voice.receiver.events().filter((e) => e.event === 'call.transcription').map((e) => e.data as { role: string; text: string });
    expect(lines.map((l) => l.role)).toEqual(['user', 'assistant']);
    expect(lines[1]!.text).toMatch(/sorry/i);
    expect((completed.data.transcript as Array<{ text: string }>).at(-1)!.text).toBe(lines[1]!.text);

    const wav = Buffer.from(await (await fetch(completed.data.recording_url as string)).arrayBuffer());
    const [callerWords] = bursts(wav, 0);
    const [apology] = bursts(wav, 1);
    expect(callerWords && apology, 'the caller spoke, then the apology played').toBeTruthy();
    const gapMs = apology![0] - callerWords![1];
    expect(gapMs).toBeGreaterThan(0);
    expect(gapMs, 'caller\'s last word → apology on the line').toBeLessThan(ENDPOINTING_MS + 500 + 100); // + 100 ms analysis windows
  }, 60_000);
});
