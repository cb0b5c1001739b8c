import { describe, expect, it } from 'vitest';
import { createRequest } from './message.js';
import { parseMessage } from './parser.js';
import { ServerTransaction } from './transaction-server.js';
import type { Flow } from './transport.js';

const timers = { t1: 5, t2: 40, t4: 50 };

function recordingFlow(): { flow: Flow; statuses: number[] } {
  const statuses: number[] = [];
  const flow: Flow = { transport: 'udp', address: '127.0.0.1', port: 5070, send: (data) => { const m = parseMessage(data); if (m.ok && m.message.kind === 'response') statuses.push(m.message.status); } };
  return { flow, statuses };
}

const request = (method: string, to: string) => createRequest(method, 'sip:pv@127.0.0.1', {
  via: 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKtx1', from: '<sip:a@127.0.0.1>;tag=a1', to, 'call-id': 'tx1', cseq: `2 ${method}`, 'max-forwards': '70',
});

describe('server transaction: nothing stays unanswered', () => {
  it('answers 500 after 64×T1 when our code never answered a re-INVITE or a non-INVITE', async () => {
    const reinvite = recordingFlow();
    const info = recordingFlow();
    new ServerTransaction(request('INVITE', '<sip:pv@127.0.0.1>;tag=pv1'), reinvite.flow, timers, () => undefined);
    new ServerTransaction(request('INFO', '<sip:pv@127.0.0.1>;tag=pv1'), info.flow, timers, () => undefined);
    await new Promise((r) => setTimeout(r, 64 * timers.t1 + 60));
    expect(reinvite.statuses[0]).toBe(500);
    expect(info.statuses[0]).toBe(500);
  });

  it('leaves an initial INVITE (waiting on routing) and an answered request alone', async () => {
    const initial = recordingFlow();
    const answered = recordingFlow();
    new ServerTransaction(request('INVITE', '<sip:pv@127.0.0.1>'), initial.flow, timers, () => undefined);
    const tx = new ServerTransaction(request('OPTIONS', '<sip:pv@127.0.0.1>'), answered.flow, timers, () => undefined);
    tx.respond({ kind: 'response', status: 200, reason: 'OK', headers: request('OPTIONS', '<sip:pv@127.0.0.1>').headers, body: Buffer.alloc(0) });
    await new Promise((r) => setTimeout(r, 64 * timers.t1 + 60));
    expect(initial.statuses).toEqual([]);
    expect(answered.statuses).toEqual([200]);
  });
});
