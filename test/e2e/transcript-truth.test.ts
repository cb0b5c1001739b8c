/**
 * Transcript = model history = the audio that left the server, over real SIP and RTP on loopback.
 * SIPp calls the embedded engine and streams espeak-ng speech; the real agent (Silero VAD,
 * espeak-ng TTS, the real Ollama provider against a protocol-faithful fake Ollama; STT is a
 * double: no Whisper weights here) answers. The caller says "yeah, okay" over the first answer
 * (it resumes and plays to the end), then cuts the second answer mid-sentence. Checked against
 * the stereo recording (channel 2 = what the assistant sent): the cut line lasts as long as the
 * assistant's sound did and holds the share of words that the played share of audio carries,
 * and the model's next request holds exactly the transcript's text.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EspeakTts } from '../../src/providers/tts/espeak.js';
import type { SpeechToText } from '../../src/providers/types.js';
import { FakeOllamaServer } from '../fakes/fake-ollama.js';
import { freePort } from '../sip/harness.js';
import { bursts, makeCallerAudio, type Timeline } from './caller-audio.js';
import { callWithSipp } from './sipp-caller.js';
import { startVoiceServer, type VoiceServer } from './voice-server.js';

const NUMBER = '+15550111';
const ANSWER = ['We are open from nine in the morning until five in the evening.', ' On Saturdays we open at ten and close at two.'];
const LONG = 'Our address is forty two Harbour Street, next to the old railway station, opposite the big green park with the fountain.';
const SHORT = 'Yes, there is parking behind the building.';
const U1 = 'What are your opening hours?';
const ACK = 'Yeah, okay.';
const U2 = 'Where are you?';
const U3 = 'Is there parking nearby?';
const TIMELINE: Timeline = [
  ['silence', 3], ['say', U1], ['silence', 3.2], ['say', ACK], ['silence', 7.5], ['say', U2], ['silence', 3.4], ['say', U3], ['silence', 5],
];

/** STT double in segment order; short blips (< 450 ms) carry no words. */
class ScriptedStt implements SpeechToText {
  readonly name = 'scripted-stt';
  constructor(readonly texts: string[]) {}
  async transcribe(audio: Int16Array, sampleRate: number) {
    return { text: (audio.length * 1000) / sampleRate < 450 ? '' : this.texts.shift() ?? '' };
  }
}

async function renderedMs(tts: EspeakTts, text: string): Promise<number> {
  let ms = 0;
  for await (const c of tts.synthesize(text)) ms += (c.pcm.length * 1000) / c.sampleRate;
  return ms;
}

describe('e2e: the transcript, the model history and the recording tell the same story', () => {
  let dir: string;
  let ollama: FakeOllamaServer;
  let voice: VoiceServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pv-e2e-truth-'));
    ollama = await new FakeOllamaServer([
      { tokens: ANSWER, firstTokenMs: 30 },
      { tokens: [LONG], firstTokenMs: 30 },
      { tokens: [SHORT], firstTokenMs: 30 },
      { json: { sentiment: 'neutral', intent: 'directions', summary: 'Hours, address and parking.', success: true } },
    ]).start();
    voice = await startVoiceServer({ stt: new ScriptedStt([U1, ACK, U2, U3]) });
    const assistant = await voice.server.createAssistant({
      first_message: null, first_message_mode: 'wait_for_user', endpointing_ms: 500,
      llm: { provider: 'ollama', url: ollama.url, model: 'llama3.2:1b' },
      interruption: { enabled: true, min_speech_ms: 300, ignore_phrases: ['yeah', 'okay', 'mm-hm'] },
    });
    const res = await voice.server.api('POST', '/v1/phone-numbers', { number: NUMBER, assistant_id: assistant.id, trunk: 'local' });
    expect(res.status, res.text).toBe(201);
  }, 30_000);

  afterAll(async () => {
    await voice?.close();
    await ollama?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a resumed answer is recorded whole, a cut one holds the played words, in the transcript and in the history', async () => {
    const audio = makeCallerAudio(dir, TIMELINE);
    const result = await callWithSipp({ remote: `127.0.0.1:${voice.engine.sipPort}`, localPort: await freePort(), service: NUMBER, audioFile: audio.file, hangupAfterMs: audio.ms + 500, timeoutS: 60 });
    expect(result.code, result.output).toBe(0);
    const completed = await voice.completed();
    type Line = { role: string; text: string; interrupted: boolean; start_ms: number; end_ms: number };
    const lines = voice.receiver.events().filter((e) => e.event === 'call.transcription' && e.call_id === completed.call_id).map((e) => e.data as Line);
    expect(lines.map((l) => [l.role, l.text, l.interrupted]), JSON.stringify(lines)).toEqual([
      ['user', U1, false],
      ['user', ACK, false], // heard, not a turn
      ['assistant', ANSWER.join('').trim(), false], // resumed after "yeah, okay" and recorded whole once it finished
      ['user', U2, false],
      ['assistant', expect.any(String), true],
      ['user', U3, false],
      ['assistant', SHORT, false],
    ]);
    const cut = lines[4]!;
    expect(LONG.startsWith(cut.text), cut.text).toBe(true);

    // The model's history: exactly the transcript's assistant text, the cut one flagged.
    const chats = ollama.script.requests.filter((r) => r.path === '/api/chat' && (r.body as { stream?: boolean }).stream !== false);
    const history = (chats[2]!.body as { messages: Array<{ role: string; content: string }> }).messages.filter((m) => m.role === 'assistant').map((m) => m.content);
    expect(history).toEqual([lines[2]!.text, cut.text]);

    // The recording: channel 2 is what the assistant sent, on the media clock (sample counts). The
    // transcript is on the wall clock from the answer; on a loaded machine the two drift apart by a
    // few hundred ms over a call, so each line is compared with its own stretch of sound: the
    // stretch starting nearest to where the line starts.
    const wav = Buffer.from(await (await fetch(completed.data.recording_url as string)).arrayBuffer());
    const sent = bursts(wav, 1);
    const offset = lines[2]!.start_ms - sent[0]![0];
    const nearest = (ms: number) => sent.reduce((best, b) => (Math.abs(b[0] - ms) < Math.abs(best[0] - ms) ? b : best));
    const cutAudio = nearest(cut.start_ms - offset);
    expect(Math.abs(cutAudio[0] - (cut.start_ms - offset)), `the cut answer's sound in ${JSON.stringify(sent)}`).toBeLessThan(1500);
    // The cut line lasts as long as its sound did: it ends when the audio stopped leaving (±250 ms:
    // 100 ms analysis windows, a frame, the line's first-audio stamp).
    expect(Math.abs((cut.end_ms - cut.start_ms) - (cutAudio[1] - cutAudio[0]))).toBeLessThan(250);
    // The cut line holds the words that the played share of the audio carries (±1 word).
    const fullMs = await renderedMs(new EspeakTts({ voice: 'en-us' }), LONG);
    const playedShare = (cutAudio[1] - cutAudio[0]) / fullMs;
    const words = LONG.split(/\s+/);
    expect(playedShare).toBeGreaterThan(0.15);
    expect(playedShare).toBeLessThan(0.85);
    expect(Math.abs(cut.text.split(/\s+/).length - playedShare * words.length), `${cut.text} vs ${(playedShare * 100).toFixed(0)} % of the audio`).toBeLessThanOrEqual(1.5);
  }, 90_000);
});
