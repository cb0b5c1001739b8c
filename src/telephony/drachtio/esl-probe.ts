import net from 'node:net';

/**
 * One short event-socket session with FreeSWITCH: log in with `secret`, then ask `sofia status`
 * and require the SIP profile drachtio-fsmrf drives. Resolves when both hold, rejects with the
 * reason otherwise. drachtio-fsmrf's ESL client retries a failed connection on its own, forever
 * and out of our reach, never reports a wrong password, and *throws from an event handler*
 * (crashing the process) when ESL is up before mod_sofia has loaded its profile — which is
 * exactly the state of a FreeSWITCH that is still starting. So the engine waits here until
 * FreeSWITCH is really ready, then connects fsmrf once.
 */
export function probeEsl(host: string, port: number, secret: string, timeoutMs: number, profile = 'drachtio_mrf'): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let buffered = '';
    let stage: 'greeting' | 'auth' | 'status' = 'greeting';
    const done = (err: Error | null) => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      if (err) socket.destroy();
      else socket.end('exit\n\n');
      if (err) reject(err); else resolve();
    };
    const timer = setTimeout(() => done(new Error(`freeswitch ESL at ${host}:${port} did not answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (err) => done(new Error(`freeswitch ESL at ${host}:${port}: ${err.message}`)));
    socket.on('close', () => done(new Error(`freeswitch ESL at ${host}:${port} closed the connection`)));
    socket.on('data', (data) => {
      buffered += data.toString('utf8');
      if (buffered.length > 256 * 1024) return done(new Error('freeswitch ESL sent an oversized reply'));
      if (stage === 'greeting' && buffered.includes('auth/request')) {
        stage = 'auth';
        buffered = '';
        socket.write(`auth ${secret}\n\n`);
        return;
      }
      if (stage === 'auth' && buffered.includes('\n\n')) {
        if (!/Reply-Text: \+OK/.test(buffered)) return done(new Error('freeswitch refused the ESL password (check FREESWITCH_SECRET)'));
        stage = 'status';
        buffered = '';
        socket.write('api sofia status\n\n');
        return;
      }
      if (stage === 'status') {
        const body = apiBody(buffered);
        if (body === null) return;
        if (new RegExp(`^\\s*${profile}\\s.*sip:mod_sofia@`, 'm').test(body)) done(null);
        else done(new Error(`freeswitch has no running SIP profile ${profile} yet (${body.trim().split('\n')[0]?.slice(0, 80) ?? ''})`));
      }
    });
  });
}

/** The body of a complete `api/response`, or null while it is still arriving. */
function apiBody(text: string): string | null {
  const end = text.indexOf('\n\n');
  if (end < 0) return null;
  const length = Number(/Content-Length: (\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
  const body = text.slice(end + 2);
  return Buffer.byteLength(body) >= length ? body : null;
}
