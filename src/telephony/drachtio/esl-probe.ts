import net from 'node:net';

/**
 * One short event-socket login to FreeSWITCH: resolves when it accepts `secret`, rejects
 * with the reason otherwise. drachtio-fsmrf's ESL client retries a failed connection on its
 * own, forever and out of our reach, and never reports a wrong password; so the engine
 * waits here until FreeSWITCH is really up and the password right, then connects fsmrf once.
 */
export function probeEsl(host: string, port: number, secret: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let buffered = '';
    let authSent = false;
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
      if (buffered.length > 64 * 1024) return done(new Error('freeswitch ESL sent an oversized reply'));
      if (!authSent && buffered.includes('auth/request')) {
        authSent = true;
        buffered = '';
        socket.write(`auth ${secret}\n\n`);
        return;
      }
      if (authSent && buffered.includes('\n\n')) {
        if (/Reply-Text: \+OK/.test(buffered)) done(null);
        else done(new Error('freeswitch refused the ESL password (check FREESWITCH_SECRET)'));
      }
    });
  });
}
