import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

describe('UDP I/O thread', () => {
  it('holds the process while it boots and while a socket is open, and lets it exit by itself after close', async () => {
    const script = fileURLToPath(new URL('./fixtures/udp-thread-exit.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));
    // An unfinished top-level await exits with code 13 and prints nothing; a leaked handle hits the timeout.
    const { stdout } = await promisify(execFile)(process.execPath, [tsx, script], { timeout: 20_000 });
    expect(JSON.parse(stdout.trim())).toEqual({ bytes: 172, open: 0 });
  });
});
