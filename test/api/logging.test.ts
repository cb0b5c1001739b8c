import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';
import { startReceiver, waitFor, type Receiver } from '../support/receiver.js';

const lines: Array<Record<string, unknown>> = [];
const raw: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      raw.push(line);
      lines.push(JSON.parse(line));
    }
    done();
  },
});

let t: TestServer;
let hook: Receiver;
afterAll(async () => {
  await t?.close();
  await hook?.close();
});

describe('logs', () => {
  it('carry call_id on every line about a call and never a key or the signing secret', async () => {
    const log = pino({ level: 'debug' }, sink);
    t = await startTestServer({ server: { log } });
    hook = await startReceiver({ respond: (n) => (n === 0 ? 500 : 200) });
    const asst = await t.createAssistant({ webhook_url: hook.url });
    const ok = await t.api('POST', '/v1/calls', { phone_number: '+15550008888', assistant_id: asst.id });
    const busy = await t.api('POST', '/v1/calls', { phone_number: '+15550008486', assistant_id: asst.id });
    await waitFor(() => t.telephony.legs.get(ok.json.id), 'answered leg');
    t.telephony.legs.get(ok.json.id)!.remoteHangup();
    await waitFor(() => hook.events().filter((e) => e.event === 'call.completed').length === 2, 'both completed');
    await t.api('GET', '/v1/calls', undefined, {}, 'pv_wrong_key_but_long_enough');

    const aboutCalls = lines.filter((l) => JSON.stringify(l).match(/call_[0-9a-f]{24}/));
    expect(aboutCalls.length).toBeGreaterThanOrEqual(4);
    for (const l of aboutCalls) expect(l.call_id, JSON.stringify(l)).toMatch(/^call_/);
    expect(new Set(aboutCalls.map((l) => l.call_id))).toEqual(new Set([ok.json.id, busy.json.id]));
    expect(lines.some((l) => l.msg === 'webhook attempt failed, will retry')).toBe(true);
    const all = raw.join('\n');
    for (const secret of [t.apiKey, t.secret, 'pv_wrong_key_but_long_enough']) expect(all).not.toContain(secret);
  });
});
