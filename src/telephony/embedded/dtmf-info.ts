/** SIP INFO DTMF bodies: `application/dtmf-relay` (Signal=5 / Duration=160) and `application/dtmf`. */
export function parseDtmfInfo(contentType: string | undefined, body: string): { digit: string; durationMs: number } | null {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  let digit: string | undefined;
  let durationMs = 160;
  if (type === 'application/dtmf-relay') {
    const signal = /^\s*signal\s*=\s*(\S+)\s*$/im.exec(body)?.[1];
    const duration = /^\s*duration\s*=\s*(\d+)\s*$/im.exec(body)?.[1];
    digit = signal;
    if (duration) durationMs = Number(duration);
  } else if (type === 'application/dtmf') {
    digit = body.trim();
  }
  if (!digit) return null;
  const normalized = ({ '10': '*', '11': '#' } as Record<string, string>)[digit] ?? digit.toUpperCase();
  return /^[0-9*#A-D]$/.test(normalized) ? { digit: normalized, durationMs } : null;
}

export function formatDtmfInfo(digit: string, durationMs: number): string {
  return `Signal=${digit}\r\nDuration=${durationMs}\r\n`;
}
