import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface FirstStartSecrets {
  createdApiKey: string | null;
  createdWebhookSecret: string | null;
}

export const FIRST_START_FILE = 'first-start-credentials.txt';

/**
 * The credentials created on the first start are written to `<data_dir>/first-start-credentials.txt`
 * (owner-only, 0600) and shown on the terminal only when stdout is one: with stdout going to
 * a file or a log collector (`npm start > server.log`, systemd, Docker), only a line naming
 * the file is printed. Never through the logger. Returns the file written, or null when
 * nothing was created.
 */
export function announceFirstStart(created: FirstStartSecrets, dataDir: string, out: { isTTY?: boolean; write(s: string): unknown } = process.stdout): string | null {
  if (!created.createdApiKey && !created.createdWebhookSecret) return null;
  const file = path.resolve(dataDir, FIRST_START_FILE);
  const lines = ['PhoneVoice first start: store these now, they will not be shown again.'];
  if (created.createdApiKey) lines.push(`API key (account "default"): ${created.createdApiKey}`);
  if (created.createdWebhookSecret) lines.push(`Webhook signing secret:      ${created.createdWebhookSecret}   (also: npx phonevoice secret show)`);
  lines.push('Only a hash of the API key is kept: delete this file once the key is stored elsewhere.');
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  // mode applies only when the file is created: an older file keeps its mode unless forced.
  chmodSync(file, 0o600);
  if (out.isTTY) out.write(`\n${lines.map((l, i) => (i === 0 ? l : `  ${l}`)).join('\n')}\n  (also written to ${file}, mode 0600)\n\n`);
  else out.write(`PhoneVoice first start: API key and webhook signing secret written to ${file} (mode 0600); they are not printed because stdout is not a terminal.\n`);
  return file;
}
