import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { authorize, parseChallenge } from '../../src/telephony/digest.js';
import { EmbeddedTelephony } from '../../src/telephony/embedded/index.js';
import { testConfig, TestInboundHandler, waitFor } from './harness.js';
import { invite, inviteUri, RawSipClient } from './raw-client.js';

const haveFail2ban = spawnSync('which', ['fail2ban-regex']).status === 0;
const FILTER = resolve(import.meta.dirname, '../../config/fail2ban/filter.d/phonevoice-sip.conf');

describe('fail2ban reads our failed-digest log lines', () => {
  it.skipIf(!haveFail2ban)(`fail2ban-regex with config/fail2ban finds the guessing address in each failure line${haveFail2ban ? '' : ' — skipped: fail2ban not installed'}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pv-f2b-'));
    const logFile = join(dir, 'server.log');
    const dest = pino.destination({ dest: logFile, sync: true });
    const engine = new EmbeddedTelephony(testConfig({
      trunks: [{ name: 'pbx', host: '10.1.2.3', allowed_sources: [], inbound_auth: true, username: 'pbxuser', password: 'pbxpass', realm: 'pv.test' }],
    }), pino({ level: 'info' }, dest));
    await engine.start();
    engine.setInboundHandler(new TestInboundHandler('+15550012'));
    const guesser = await RawSipClient.open('udp', engine.sipPort, '127.0.0.7');
    try {
      const base = { port: guesser.port, serverPort: engine.sipPort, to: '+15550012', host: '127.0.0.7' };
      for (let i = 0; i < 3; i++) {
        const callId = `guess${i}`;
        guesser.send(invite({ ...base, callId, branch: `z9hG4bK${callId}a` }));
        await waitFor(() => guesser.responses(401).some((r) => r.headers.get('call-id') === callId));
        const challenge = parseChallenge(guesser.responses(401).find((r) => r.headers.get('call-id') === callId)!.headers.get('www-authenticate'))!;
        const wrong = authorize(challenge, { username: 'pbxuser', password: `guess${i}` }, 'INVITE', inviteUri(base))!;
        guesser.send(invite({ ...base, callId, cseq: 2, branch: `z9hG4bK${callId}b`, headers: [`Authorization: ${wrong}`] }));
        await waitFor(() => guesser.responses(401).filter((r) => r.headers.get('call-id') === callId).some((r) => r.headers.get('cseq') === '2 INVITE'));
      }
      dest.flushSync();
      const run = spawnSync('fail2ban-regex', ['--print-all-matched', logFile, FILTER], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/Lines: \d+ lines, 0 ignored, 3 matched/);
      // Each matched line names the guessing address, never the password it tried.
      const matched = run.stdout.split('\n').filter((l) => l.includes('"time":') && l.includes('sip auth failure from'));
      expect(matched).toHaveLength(3);
      expect(matched.every((l) => l.includes('sip auth failure from 127.0.0.7:'))).toBe(true);
      expect(run.stdout).not.toContain('guess0');
    } finally {
      await guesser.close();
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
