import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/harness.js';
import { startReceiver, waitFor, type ReceivedRequest, type Receiver } from '../support/receiver.js';

/**
 * Our signatures checked by the API reference's own verifiers (copied unchanged into
 * verifiers/seed_verify.*), each fed a request our dispatcher really delivered.
 */
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'verifiers');
// The system interpreter starts in ~50 ms; a pyenv shim takes seconds.
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

let t: TestServer;
let hook: Receiver;
let delivered: ReceivedRequest;
let tmp: string;
let goBinary: string | null = null;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'pv-verifiers-'));
  t = await startTestServer();
  hook = await startReceiver();
  const asst = await t.createAssistant();
  // A busy call: its call.completed carries non-ASCII metadata and nested objects.
  await t.api('POST', '/v1/calls', {
    phone_number: '+15550000486', assistant_id: asst.id, webhook_url: hook.url,
    metadata: { client: 'Zoé Ünal ☎', note: 'line1\nline2 "quoted" </script>', amount: 29.95, tags: ['a', 'b'] },
  });
  delivered = await waitFor(() => hook.requests[0], 'a delivered webhook');
  if (has('go', ['version'])) {
    const goDir = path.join(tmp, 'go');
    execFileSync('mkdir', ['-p', goDir]);
    writeFileSync(path.join(goDir, 'verify.go'), `package main\n\n${readFileSync(path.join(dir, 'seed_verify.go.txt'), 'utf8')}\n`);
    copyFileSync(path.join(dir, 'harness_main.go'), path.join(goDir, 'main.go'));
    writeFileSync(path.join(goDir, 'go.mod'), 'module verifier\n\ngo 1.19\n');
    goBinary = path.join(goDir, 'verifier');
    execFileSync('go', ['build', '-o', goBinary, '.'], { cwd: goDir, env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' }, stdio: 'pipe' });
  }
}, 120_000);
afterAll(async () => {
  await t?.close();
  await hook?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const languages: Array<{ name: string; runtime: [string, string[]]; run: () => [string, string[]] }> = [
  { name: 'Node', runtime: ['node', ['--version']], run: () => ['node', [path.join(dir, 'harness.cjs')]] },
  { name: 'Python', runtime: [python, ['--version']], run: () => [python, [path.join(dir, 'harness.py')]] },
  { name: 'Ruby', runtime: ['ruby', ['-e', 'require "active_support"; require "active_support/security_utils"']], run: () => ['ruby', [path.join(dir, 'harness.rb')]] },
  { name: 'PHP', runtime: ['php', ['--version']], run: () => ['php', [path.join(dir, 'harness.php')]] },
  { name: 'Go', runtime: ['go', ['version']], run: () => [goBinary!, []] },
];

function verify(run: [string, string[]], body: string, signature: string, secret: string): string {
  const file = path.join(tmp, `body-${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(file, body);
  return execFileSync(run[0], run[1], { env: { ...process.env, PV_BODY_FILE: file, PV_SIGNATURE: signature, PV_SECRET: secret }, encoding: 'utf8' }).trim();
}

describe('webhook signatures against the API reference verifiers', () => {
  it('the delivered request carries the documented headers and compact envelope', () => {
    expect(delivered.headers['content-type']).toBe('application/json');
    expect(delivered.headers['phonevoice-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const env = JSON.parse(delivered.body);
    expect(delivered.headers['phonevoice-event-id']).toBe(env.id);
    expect(Object.keys(env)).toEqual(['id', 'event', 'call_id', 'timestamp', 'data']);
    expect(JSON.stringify(env)).toBe(delivered.body);
  });

  for (const lang of languages) {
    const present = has(...lang.runtime);
    it.skipIf(!present)(`${lang.name} verifier accepts our signature and rejects a tampered body or wrong secret${present ? '' : ` (skipped: ${lang.runtime[0]} runtime${lang.name === 'Ruby' ? ' or ActiveSupport (apt ruby-activesupport)' : ''} absent)`}`, () => {
      const sig = delivered.headers['phonevoice-signature'] as string;
      expect(verify(lang.run(), delivered.body, sig, t.secret)).toBe('true');
      expect(verify(lang.run(), delivered.body.replace('"busy"', '"completed"'), sig, t.secret)).toBe('false');
      expect(verify(lang.run(), delivered.body, sig, `${t.secret}x`)).toBe('false');
    });
  }
});
