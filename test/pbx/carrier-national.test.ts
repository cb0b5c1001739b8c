/**
 * Set-up 3 of docs/api.md: a carrier trunk with IP authentication that speaks national format.
 * SIPp plays the carrier (config/carrier.example.yaml as shipped, addresses pointed at loopback):
 * it delivers "0180000001" for the bound +33180000001 and refuses our calls unless they are
 * written "0612345678" with a national caller id.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callWithSipp } from '../e2e/sipp-caller.js';
import { freePort, runSipp, SCENARIOS } from '../sip/harness.js';
import { waitFor } from '../support/receiver.js';
import { describeOnEachEngine, exampleConfig, startStack, type Stack } from './stack.js';

const haveSipp = (() => { try { execFileSync('sh', ['-c', 'command -v sipp']); return true; } catch { return false; } })();
const title = 'carrier trunk with IP authentication and national numbers (SIPp as the carrier)';

describeOnEachEngine(title, haveSipp ? null : 'sipp not installed', (kind) => {
  let dir: string;
  let carrierPort: number;
  let stack: Stack;
  let assistantId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pv-carrier-'));
    carrierPort = await freePort();
    stack = await startStack(exampleConfig('carrier.example.yaml', { host: '127.0.0.1', port: carrierPort, allowed_sources: ['127.0.0.1/32'] }), kind);
    assistantId = (await stack.server.createAssistant({ first_message: 'Bonjour, Acme.', llm: { provider: 'ollama', model: 'llama3.2:1b' } })).id;
    await stack.server.bindNumber({ number: '+33180000001', assistant_id: assistantId, trunk: 'carrier' });
  }, 30_000);

  afterAll(async () => {
    await stack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers "0180000001" as +33180000001 and shows the caller in E.164', async () => {
    const audio = join(dir, 'caller.ul');
    execFileSync('sox', ['-R', '-n', '-r', '8000', '-c', '1', '-t', 'ul', audio, 'trim', '0', '3']);
    const result = await callWithSipp({
      remote: `127.0.0.1:${stack.sipPort}`, localPort: await freePort(), service: '0180000001',
      audioFile: audio, hangupAfterMs: 3000, timeoutS: 20, scenario: join(SCENARIOS, 'uac-carrier-national.xml'),
    });
    expect(result.code, result.output).toBe(0);
    const call = await waitFor(async () => {
      const c = (await stack.server.api('GET', '/v1/calls?direction=inbound')).json.data[0];
      return c?.status === 'completed' ? c : null;
    }, 'call completed');
    expect(call).toMatchObject({ from_number: '+33180000001', phone_number: '+33612345678', assistant_id: assistantId, end_reason: 'customer_hangup' });
  }, 40_000);

  it('refuses a number nobody bound with 404 and no ringing, and stores no call', async () => {
    const before = (await stack.server.api('GET', '/v1/calls')).json.data.length;
    const sipp = runSipp({ scenario: 'uac-expect.xml', remote: `127.0.0.1:${stack.sipPort}`, localPort: await freePort(), service: '0180000099', template: { STATUS: '404' }, keys: { codecs: '0' } });
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
    expect((await stack.server.api('GET', '/v1/calls')).json.data.length).toBe(before);
  });

  it('dials out in the carrier\u2019s national format with a national caller id', async () => {
    const sipp = runSipp({ scenario: 'uas-carrier-national.xml', localPort: carrierPort, template: { CALLEE: '0612345678', CALLER: '0180000000' } });
    await sipp.ready;
    const created = await stack.server.api('POST', '/v1/calls', { phone_number: '+33612345678', assistant_id: assistantId });
    expect(created.status, created.text).toBe(201);
    const result = await sipp.done;
    expect(result.code, result.output + result.errors).toBe(0);
    const call = await waitFor(async () => {
      const c = (await stack.server.api('GET', `/v1/calls/${created.json.id}`)).json;
      return c.status === 'busy' ? c : null;
    }, 'call busy');
    expect(call).toMatchObject({ end_reason: 'busy', sip_status: 486 });
  }, 30_000);
});
