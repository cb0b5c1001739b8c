import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/ops/cli-commands.js';
import { startReceiver, waitFor, type Receiver } from '../support/receiver.js';
import { startTestServer, type TestServer } from '../support/harness.js';

/** The CLI run against the database of a live server (another process would do the same through SQLite WAL). */
let t: TestServer;
let hook: Receiver;
beforeAll(async () => {
  t = await startTestServer();
  hook = await startReceiver();
});
afterAll(async () => {
  await t?.close();
  await hook?.close();
});

async function cli(argv: string[], signal?: AbortSignal, onLine?: (line: string) => void) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCli(argv, { out: (l) => { out.push(l); onLine?.(l); }, err: (l) => err.push(l), env: { PHONEVOICE_DATA_DIR: t.dir }, signal });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

describe('CLI against a running server', () => {
  it('calls tail shows a new call, its transcript lines and its end as they happen; calls show has everything', async () => {
    const asst = await t.createAssistant({ name: 'Front desk', webhook_url: hook.url, llm: { provider: 'openai_compatible', url: 'https://llm.example.com/v1', api_key: 'sk-cli-secret-0123456789' } });
    await t.api('POST', '/v1/phone-numbers', { number: '+15550003333', assistant_id: asst.id });

    const lines: string[] = [];
    const stop = new AbortController();
    const tail = cli(['calls', 'tail'], stop.signal, (l) => lines.push(l));
    await waitFor(() => lines.some((l) => /No live calls/.test(l)), 'tail started');

    const call = (await t.api('POST', '/v1/calls', { phone_number: '+15550001212', assistant_id: asst.id })).json;
    await waitFor(() => t.agents.agents.at(-1)?.started, 'agent started');
    t.agents.agents.at(-1)!.userSays('I would like to book an appointment, thank you');
    await waitFor(() => lines.some((l) => l.includes('book an appointment')), 'caller line in tail');
    t.telephony.legs.get(call.id)!.remoteHangup();
    await waitFor(() => lines.some((l) => l.startsWith('~') && l.includes(call.id) && l.includes('completed')), 'end in tail');
    await waitFor(() => hook.events().some((e) => e.event === 'call.completed'), 'call.completed delivered');
    stop.abort();
    expect((await tail).status).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(new RegExp(`\\+ ${call.id}\\s+outbound \\+15550001212\\s+(queued|ringing|in_progress)`));
    expect(text).toMatch(/\[0:00\.0\] assistant Hello, how can I help\?/);
    expect(text).toMatch(new RegExp(`${call.id} \\[\\d:\\d\\d\\.\\d\\] caller\\s+I would like to book an appointment`));

    // The receiver's 200 reaches the delivery thread before the outbox row says so: wait for the record, not the request.
    const show = await waitFor(async () => {
      const s = await cli(['calls', 'show', call.id]);
      return /call\.completed\s+delivered/.test(s.out) ? s : null;
    }, 'call.completed recorded as delivered');
    expect(show.status).toBe(0);
    expect(show.out).toMatch(/status\s+completed \(customer_hangup\)/);
    expect(show.out).toMatch(/answered\s+\d{4}-\d\d-\d\dT/);
    expect(show.out).toMatch(/Transcript \(2 lines\)/);
    expect(show.out).toMatch(/intent\s+book_appointment/);
    expect(show.out).toMatch(/Webhook deliveries \(\d+\)[\s\S]*call\.completed\s+delivered/);

    const numbers = await cli(['numbers']);
    expect(numbers.out).toMatch(/\+15550003333\s+\(any\)\s+asst_\w+\s+Front desk/);
    const assistants = await cli(['assistants']);
    expect(assistants.out).toMatch(new RegExp(`${asst.id}\\s+Front desk\\s+openai_compatible:\\S+\\s+piper:\\S+\\s+\\+15550003333`));
    const one = await cli(['assistants', 'show', asst.id]);
    expect(one.out).toContain('"name": "Front desk"');
    expect(one.out).not.toContain('sk-cli-secret-0123456789');
    expect((await cli(['calls', 'show', 'call_nope'])).status).toBe(1);
  }, 30_000);
});
