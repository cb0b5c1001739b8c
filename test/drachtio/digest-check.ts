import { createHash } from 'node:crypto';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** What a trunk does with a Proxy-Authorization/Authorization header: recompute RFC 2617 and compare. */
export function digestValid(authorization: string | undefined, method: string, password: string, expected: { username: string; realm: string; nonce: string }): boolean {
  if (!authorization?.startsWith('Digest ')) return false;
  const params = new Map<string, string>();
  for (const m of authorization.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)) params.set(m[1]!, m[2] ?? m[3]!);
  if (params.get('username') !== expected.username || params.get('realm') !== expected.realm || params.get('nonce') !== expected.nonce) return false;
  const ha1 = md5(`${expected.username}:${expected.realm}:${password}`);
  const ha2 = md5(`${method}:${params.get('uri')}`);
  const qop = params.get('qop');
  const response = qop
    ? md5(`${ha1}:${expected.nonce}:${params.get('nc')}:${params.get('cnonce')}:${qop}:${ha2}`)
    : md5(`${ha1}:${expected.nonce}:${ha2}`);
  return params.get('response') === response;
}

/** What a SIP client puts in Authorization for a challenge (qop=auth). */
export function digestAuthorization(challenge: string, method: string, uri: string, username: string, password: string): string {
  const realm = /realm="([^"]*)"/.exec(challenge)![1]!;
  const nonce = /nonce="([^"]*)"/.exec(challenge)![1]!;
  const cnonce = 'c0ffee';
  const nc = '00000001';
  const ha1 = md5(`${username}:${realm}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="${username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", qop=auth, nc=${nc}, cnonce="${cnonce}", algorithm=MD5`;
}
