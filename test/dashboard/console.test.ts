/**
 * The web console in a real headless Chromium (Debian's, driven by playwright-core), against a
 * real server with the embedded SIP engine: a SIPp caller streams espeak-ng speech, the real
 * agent (Silero VAD, espeak-ng TTS, the Ollama provider against a protocol-faithful fake; STT is
 * a double — no Whisper weights here) answers. A person signs in, watches the call arrive and its
 * transcript grow (with the HTTP tool the model called to answer), hangs it up from the console,
 * plays the recording, reads the analysis,
 * resends a webhook and meets a validation error on an assistant.
 */
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentFactory } from '../../src/agent/index.js';
import { silentLogger } from '../../src/ops/logger.js';
import type { Providers } from '../../src/providers/index.js';
import { createLanguageModel } from '../../src/providers/llm/index.js';
import { EspeakTts } from '../../src/providers/tts/espeak.js';
import type { SpeechToText } from '../../src/providers/types.js';
import { SileroVadFactory } from '../../src/providers/vad/silero.js';
import type { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { callWithSipp } from '../e2e/sipp-caller.js';
import { FakeOllamaServer } from '../fakes/fake-ollama.js';
import { freePort, startEngine, testConfig } from '../sip/harness.js';
import type { FakeAgentFactory } from '../support/fake-agent.js';
import { startTestServer, type TestServer } from '../support/harness.js';
import { startReceiver, waitFor, type Receiver } from '../support/receiver.js';
import { CHROMIUM, haveChromium, launchChromium, screenshot, screenshotDir, type Browser } from './browser.js';

// Browser globals inside page.evaluate() callbacks (the project compiles without the DOM library).
declare const document: { cookie: string; documentElement: { scrollWidth: number; dataset: Record<string, string> } };
declare const window: { innerWidth: number } & Record<string, unknown>;
interface HTMLAudioElement { play(): Promise<void>; pause(): void; duration: number; currentTime: number }

const have = (bin: string) => { try { execFileSync('which', [bin], { stdio: 'ignore' }); return true; } catch { return false; } };
const missing = [!haveChromium && `chromium (${CHROMIUM})`, !have('sipp') && 'sipp', !have('espeak-ng') && 'espeak-ng', !have('sox') && 'sox'].filter(Boolean);

const NUMBER = '+15550142';
const GREETING = 'Hello, this is Acme. How can I help?';
const QUESTION = 'I would like to know your opening hours please.';
const ANSWER = 'We are open from nine to five, Monday to Friday.';
const HOURS = { open: '09:00', close: '17:00', days: 'Mon-Fri' };
const ANALYSIS = { sentiment: 'positive', intent: 'opening_hours', summary: 'The caller asked for the opening hours and got them.', success: true };

/** STT double: the scripted words for each segment long enough to be speech. */
class ScriptedStt implements SpeechToText {
  readonly name = 'scripted-stt';
  constructor(readonly texts: string[]) {}
  async transcribe(audio: Int16Array, sampleRate: number) {
    return { text: (audio.length * 1000) / sampleRate < 600 ? '' : this.texts.shift() ?? '' };
  }
}

/** 4 s of quiet (the greeting plays), the question, then 40 s of quiet: the call runs until the console hangs up. */
function callerAudio(dir: string): string {
  execFileSync('espeak-ng', ['-w', join(dir, 'q.wav'), QUESTION]);
  const parts = [['-n', '-r', '8000', '-c', '1', '-b', '16', join(dir, 'a.wav'), 'trim', '0', '4'], [join(dir, 'q.wav'), '-r', '8000', '-c', '1', '-b', '16', join(dir, 'b.wav')],
    ['-n', '-r', '8000', '-c', '1', '-b', '16', join(dir, 'c.wav'), 'trim', '0', '40']];
  for (const p of parts) execFileSync('sox', ['-R', ...p]);
  const file = join(dir, 'caller.ul');
  execFileSync('sox', ['-R', join(dir, 'a.wav'), join(dir, 'b.wav'), join(dir, 'c.wav'), '-t', 'ul', '-r', '8000', '-c', '1', file]);
  return file;
}

describe.skipIf(missing.length > 0)(`dashboard in Chromium${missing.length ? ` — skipped: ${missing.join(', ')} not installed` : ''}`, () => {
  let dir: string;
  let ollama: FakeOllamaServer;
  let hoursTool: ReturnType<typeof createServer>;
  const toolRequests: unknown[] = [];
  let receiver: Receiver;
  let engine: EmbeddedTelephony;
  let server: TestServer;
  let browser: Browser;
  let assistantId: string;
  let callId: string;
  const console: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pv-dash-'));
    // The model first calls the customer's HTTP tool, then answers from its result.
    ollama = await new FakeOllamaServer([
      { toolCalls: [{ name: 'opening_hours', arguments: { day: 'monday' } }], firstTokenMs: 30 }, { tokens: [ANSWER], firstTokenMs: 30 }, { json: ANALYSIS },
    ]).start();
    hoursTool = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c)).on('end', () => { toolRequests.push(JSON.parse(body)); res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(HOURS)); });
    });
    await new Promise<void>((resolve) => hoursTool.listen(0, '127.0.0.1', resolve));
    const hoursUrl = `http://127.0.0.1:${(hoursTool.address() as { port: number }).port}/hours`;
    receiver = await startReceiver();
    const config = testConfig();
    engine = await startEngine(config);
    const espeak = new EspeakTts({ voice: 'en-us' });
    const providers: Providers = {
      vad: new SileroVadFactory(), stt: () => new ScriptedStt([QUESTION]), tts: () => espeak, fallbackTts: espeak,
      llm: (spec, ctx) => createLanguageModel(spec, config, ctx, silentLogger),
      warmUp: async () => {}, status: () => [{ name: 'llm', ready: true, detail: 'fake ollama' }], close: async () => {},
    };
    const agents = await createAgentFactory(config, silentLogger, providers);
    server = await startTestServer({
      telephony: engine, agents: agents as unknown as FakeAgentFactory,
      config: { default_webhook_url: receiver.url, recording: { enabled: true }, trunks: config.trunks },
      server: { calls: { analyzeTimeoutMs: 5000, shutdownTimeoutMs: 3000 } },
    });
    assistantId = (await server.createAssistant({ name: 'Front desk', first_message: GREETING, endpointing_ms: 500, llm: { provider: 'ollama', url: ollama.url, model: 'llama3.2:1b' },
      tools: [{ type: 'http', name: 'opening_hours', url: hoursUrl, parameters: { type: 'object', properties: { day: { type: 'string' } } } }] })).id;
    expect((await server.api('POST', '/v1/phone-numbers', { number: NUMBER, assistant_id: assistantId, trunk: 'local' })).status).toBe(201);
    browser = await launchChromium();
    // Script errors only: the 401 and 400 answers the tests provoke are logged by Chromium too.
    browser.page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) console.push(m.text()); });
    browser.page.on('pageerror', (e) => console.push(`pageerror: ${e.message}`));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await engine?.stop().catch(() => {});
    await ollama?.close();
    await new Promise((resolve) => (hoursTool ? hoursTool.close(resolve) : resolve(undefined)));
    await receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const url = (path: string) => `${server.url}/dashboard${path}`;

  it('without a key: the sign-in page and no data', async () => {
    const { page } = browser;
    await page.goto(url('/calls'));
    await expect.poll(() => new URL(page.url()).pathname).toBe('/dashboard/sign-in');
    expect(await page.locator('label[for="api_key"]').textContent()).toBe('API key');
    expect(await page.locator('table').count()).toBe(0);
    const api = await page.evaluate(async () => { const r = await fetch('/dashboard/api/v1/calls'); return { status: r.status, body: await r.text() }; });
    expect(api.status).toBe(401);
    expect(api.body).not.toContain('call_');
    await screenshot(page, 'sign-in');
  });

  it('signs in with the API key', async () => {
    const { page } = browser;
    await page.fill('#api_key', 'pv_not_a_key');
    await page.click('button[type="submit"]');
    await page.waitForSelector('#api_key-error');
    expect(await page.locator('#api_key-error').textContent()).toContain('not valid');
    await page.fill('#api_key', server.apiKey);
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/dashboard\/calls$/);
    expect(await page.locator('h1').textContent()).toBe('Calls');
    const cookies = await browser.context.cookies();
    const session = cookies.find((c) => c.name === 'pv_session')!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe('Strict');
    expect(await page.evaluate(() => document.cookie)).not.toContain('pv_session');
  });

  it('a SIPp call comes in and appears live; its transcript grows while it runs; the console hangs it up', async () => {
    const { page } = browser;
    await page.goto(url('/live'));
    await page.waitForSelector('[data-live-state].on');
    await page.evaluate(() => { (window as unknown as { stayed: boolean }).stayed = true; });
    const sipp = callWithSipp({
      remote: `127.0.0.1:${engine.sipPort}`, localPort: await freePort(), service: NUMBER, audioFile: callerAudio(dir),
      hangupAfterMs: 60_000, timeoutS: 70, scenario: join(import.meta.dirname, 'uac-talk-until-bye.xml'),
    });
    const row = page.locator('tr[data-call-id]');
    await row.first().waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true); // no reload
    callId = (await row.first().getAttribute('data-call-id'))!;
    await expect.poll(() => row.first().locator('.badge').textContent(), { timeout: 10_000 }).toBe('in progress');
    await screenshot(page, 'live');

    await row.first().locator('a.call-link').click();
    await page.waitForSelector('[data-live-state].on');
    const lines = page.locator('[data-part="transcript"] li.utterance');
    await expect.poll(() => lines.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
    const said = await lines.evaluateAll((els) => els.map((e) => [e.getAttribute('data-role'), e.querySelector('.text')?.textContent]));
    expect(said.slice(0, 3)).toEqual([['assistant', GREETING], ['user', QUESTION], ['assistant', ANSWER]]);
    // The tool the model ran sits in the timeline between the question and the answer it fed.
    const timeline = await page.locator('[data-part="transcript"] ol.timeline > li').evaluateAll((els) => els.map((e) => e.getAttribute('data-role')));
    expect(timeline.slice(0, 4)).toEqual(['assistant', 'user', 'tool', 'assistant']);
    const tool = page.locator('[data-part="transcript"] li.tool-call');
    expect(await tool.locator('.tool-name').textContent()).toBe('opening_hours');
    expect(await tool.locator('.tool-args').textContent()).toBe('{"day":"monday"}');
    expect(await tool.locator('.tool-outcome').textContent()).toMatch(/^Ran \d+ ms$/);
    expect(toolRequests).toEqual([expect.objectContaining({ tool: 'opening_hours', arguments: { day: 'monday' } })]);
    expect(await page.locator('[data-part="summary"] .badge').textContent()).toBe('in progress'); // it arrived while the call ran
    expect(await page.locator('.turn-latency .v2v').first().textContent()).toMatch(/\d+ ms voice-to-voice/);
    await screenshot(page, 'call-live');

    await page.getByRole('button', { name: 'Hang up' }).click();
    await expect.poll(() => page.locator('[data-part="summary"] .badge').textContent(), { timeout: 15_000 }).toBe('completed');
    const result = await sipp;
    expect(result.code, result.output).toBe(0); // SIPp got our BYE and answered it
    expect(await page.locator('[data-part="summary"]').textContent()).toContain('api hangup');
  }, 90_000);

  it('the finished call: the recording plays with its two-lane waveform, and the analysis shows', async () => {
    const { page } = browser;
    const audio = page.locator('audio[data-recording]');
    await audio.waitFor({ timeout: 15_000 });
    await page.waitForSelector('[data-waveform][data-ready="true"]', { timeout: 15_000 });
    const lanes = await page.locator('[data-waveform]').evaluate((el) => [...el.children].find((c) => c.shadowRoot)?.shadowRoot?.querySelectorAll('canvas').length ?? 0);
    expect(lanes).toBeGreaterThanOrEqual(2);
    await page.locator('audio[data-recording]').evaluate((a: HTMLAudioElement) => a.play());
    const duration = await page.locator('audio[data-recording]').evaluate((a: HTMLAudioElement) => a.duration);
    expect(duration).toBeGreaterThan(5);
    expect(Number.isFinite(duration)).toBe(true);
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.currentTime), { timeout: 5000 }).toBeGreaterThan(0.2);
    await audio.evaluate((a: HTMLAudioElement) => a.pause());
    const analysis = page.locator('[data-part="analysis"]');
    await expect.poll(() => analysis.textContent()).toContain(ANALYSIS.summary);
    expect(await analysis.textContent()).toContain('opening hours');
    expect(await analysis.locator('.sentiment-positive').textContent()).toBe('positive');
    await screenshot(page, 'call-finished');
    await page.setViewportSize({ width: 820, height: 1180 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true); // tablet: no sideways scrolling
    await screenshot(page, 'call-tablet');
    await page.setViewportSize({ width: 1366, height: 900 });
  }, 40_000);

  it('resends a webhook and shows the new attempt', async () => {
    const { page } = browser;
    await waitFor(() => receiver.events().some((e) => e.event === 'call.completed' && e.call_id === callId), 'call.completed delivered');
    // The call record keeps the tool call: in call.completed and in the API's transcript.
    const ran = { name: 'opening_hours', arguments: { day: 'monday' }, result: JSON.stringify(HOURS), error: null };
    expect(receiver.events().find((e) => e.event === 'call.completed' && e.call_id === callId)!.data.tool_calls).toEqual([expect.objectContaining(ran)]);
    const transcript = (await server.api('GET', `/v1/calls/${callId}/transcript`)).json;
    expect(transcript.tool_calls).toEqual([expect.objectContaining(ran)]);
    const question = transcript.utterances.find((u: { role: string }) => u.role === 'user');
    expect(transcript.tool_calls[0].start_ms).toBeGreaterThan(question.end_ms); // run after the caller finished asking
    const completed = page.locator('li.delivery', { has: page.locator('.event', { hasText: 'call.completed' }) });
    await expect.poll(() => completed.locator('.attempt-count').textContent()).toBe('1 attempt');
    await completed.getByRole('button', { name: /Resend call.completed/ }).click();
    await expect.poll(() => page.locator('li.delivery', { has: page.locator('.event', { hasText: 'call.completed' }) }).locator('.attempt-count').textContent(), { timeout: 10_000 }).toBe('2 attempts');
    await waitFor(() => receiver.events().filter((e) => e.event === 'call.completed' && e.call_id === callId).length === 2, 'the resent call.completed');
  });

  it('edits an assistant: a validation error shows at its field, a good value saves', async () => {
    const { page } = browser;
    await page.goto(url(`/assistants/${assistantId}`));
    await page.fill('input[name="llm.temperature"]', '5');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const error = page.locator('#fld-llm-temperature-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toMatch(/2/);
    expect(await page.locator('input[name="llm.temperature"]').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'assistant-error');
    await page.fill('input[name="llm.temperature"]', '0.4');
    await page.fill('input[name="name"]', 'Front desk (day)');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.locator('.form-actions .form-status').textContent()).toBe('Saved.');
    const saved = (await server.api('GET', `/v1/assistants/${assistantId}`)).json;
    expect(saved.llm.temperature).toBe(0.4);
    expect(saved.name).toBe('Front desk (day)');
  });

  it('health, analytics, calls and numbers pages render with their data', async () => {
    const { page } = browser;
    await page.goto(url('/health'));
    await page.waitForFunction(() => document.documentElement.dataset.charts === 'ready');
    expect(await page.locator('tr[data-check="database"] .badge').textContent()).toBe('ready');
    expect(await page.locator('.stat-value').first().textContent()).toBe('1');
    await screenshot(page, 'health');
    await page.goto(url('/calls?direction=inbound'));
    expect(await page.locator(`tr[data-call-id="${callId}"]`).count()).toBe(1);
    await screenshot(page, 'calls');
    await page.goto(url('/calls?direction=outbound'));
    expect(await page.locator(`tr[data-call-id="${callId}"]`).count()).toBe(0);
    await page.goto(url('/numbers'));
    expect(await page.locator('table').textContent()).toContain(NUMBER);
    await screenshot(page, 'numbers');
    expect(console, console.join('\n')).toEqual([]);
  });

  it('signs out: back to the sign-in page, and the old pages show nothing', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/dashboard\/sign-in$/);
    await page.goto(url(`/calls/${callId}`));
    await page.waitForURL(/\/dashboard\/sign-in\?next=/);
    expect(await page.content()).not.toContain(QUESTION);
    for (const f of ['sign-in', 'live', 'call-live', 'call-finished', 'call-tablet', 'assistant-error', 'health', 'calls', 'numbers']) {
      expect(statSync(join(screenshotDir(), `${f}.png`)).size).toBeGreaterThan(15_000);
    }
    process.stdout.write(`dashboard screenshots in ${screenshotDir()}\n`);
  });
});
