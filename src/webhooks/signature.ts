import { createHmac, timingSafeEqual } from 'node:crypto';

/** `PhoneVoice-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret utf8, "<t>.<body>")>` */
export function signatureHeader(secret: string, body: string, timestampS: number): string {
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${timestampS}.${body}`, 'utf8').digest('hex');
  return `t=${timestampS},v1=${mac}`;
}

/** Our own check (tests and tools); receivers use the verifiers of the API reference. */
export function verifySignature(secret: string, body: string, header: string, toleranceS = 300, nowS = Math.floor(Date.now() / 1000)): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowS - t) > toleranceS) return false;
  const expected = Buffer.from(signatureHeader(secret, body, t).split('v1=')[1]!, 'utf8');
  const given = Buffer.from(parts.v1, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
