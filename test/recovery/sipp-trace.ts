import { readFileSync } from 'node:fs';

export interface TracedMessage { direction: 'sent' | 'received'; firstLine: string; callId: string; cseq: string }

/** Messages of a SIPp `-trace_msg` log, in order. */
export function readSippTrace(file: string): TracedMessage[] {
  let text = '';
  try { text = readFileSync(file, 'utf8'); } catch { return []; }
  const out: TracedMessage[] = [];
  for (const block of text.split(/^-{20,}.*$/m)) {
    const head = /^\s*(?:UDP|TCP) message (sent|received)[^\n]*\n\s*\n([\s\S]*)$/m.exec(block);
    if (!head) continue;
    const lines = head[2]!.split(/\r?\n/);
    const header = (name: string) => lines.find((l) => l.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim() ?? '';
    out.push({ direction: head[1] as 'sent' | 'received', firstLine: lines[0]!.trim(), callId: header('call-id'), cseq: header('cseq') });
  }
  return out;
}

/** Per SIP Call-ID: did SIPp answer the INVITE with 200, and did it get a BYE? */
export function dialogsSeen(messages: TracedMessage[]): Map<string, { answered: boolean; bye: boolean; cancel: boolean }> {
  const seen = new Map<string, { answered: boolean; bye: boolean; cancel: boolean }>();
  for (const m of messages) {
    const d = seen.get(m.callId) ?? { answered: false, bye: false, cancel: false };
    if (m.direction === 'sent' && m.firstLine.startsWith('SIP/2.0 200') && /INVITE$/i.test(m.cseq)) d.answered = true;
    if (m.direction === 'received' && m.firstLine.startsWith('BYE ')) d.bye = true;
    if (m.direction === 'received' && m.firstLine.startsWith('CANCEL ')) d.cancel = true;
    seen.set(m.callId, d);
  }
  return seen;
}
