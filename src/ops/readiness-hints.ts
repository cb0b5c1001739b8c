import type { Config } from '../config/schema.js';

/** One /readyz entry: what is wrong, and what to do about it when it is not ready. */
export interface ReadinessCheck { ready: boolean; detail: string; hint?: string; [extra: string]: unknown }

const unreachable = /ECONNREFUSED|ECONNECTION_FAILED|connection_failed|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ETIMEDOUT|fetch failed|timed out|socket hang up/i;

/**
 * Turns a failing check into something an operator can act on: the address that was tried and
 * the command or setting that fixes it. Checks that are ready are returned as they are.
 */
export function withHint(name: string, check: ReadinessCheck, config: Config): ReadinessCheck {
  if (check.ready) return check;
  const models = config.models.dir;
  const { ollama } = config.providers;
  if (name === 'database') return { ...check, hint: `check that data_dir (${config.data_dir}) exists and is writable by this user` };
  if (name === 'telephony') {
    const t = config.telephony;
    return {
      ...check,
      hint: t.engine === 'drachtio'
        ? `start drachtio-server at ${t.drachtio.host}:${t.drachtio.port} (secret telephony.drachtio.secret) and FreeSWITCH at ${t.freeswitch.host}:${t.freeswitch.port}; see docs/deploy.md`
        : `the SIP port ${t.sip.host}:${t.sip.port} must be free (is another SIP server running? \`ss -lunp | grep ${t.sip.port}\`); change telephony.sip.port or PHONEVOICE_SIP_PORT`,
    };
  }
  if (name.startsWith('trunk:')) {
    const trunk = config.trunks.find((t) => `trunk:${t.name}` === name);
    const target = trunk ? `${trunk.outbound_proxy ?? trunk.host}:${trunk.port} over ${trunk.transport}` : 'the trunk';
    return { ...check, hint: `REGISTER to ${target} failed: a 401/403 means check trunks[].username/password/realm; no answer means check the address and firewall (\`sipp\` or \`nc -u\` from this host)` };
  }
  if (name.includes('ollama')) {
    if (unreachable.test(check.detail)) {
      return { detail: `cannot reach Ollama at ${ollama.url}: ${check.detail}`, ready: false, hint: `start it (\`ollama serve\`; install from https://ollama.com/download), then \`ollama pull ${ollama.model}\`; or set providers.ollama.url` };
    }
    if (/not found|pull/i.test(check.detail)) return { ...check, hint: `\`ollama pull ${ollama.model}\` on the Ollama host (${ollama.url}), or set providers.ollama.model to a model it has (\`ollama list\`)` };
    if (/not checked yet/.test(check.detail)) return { ...check, hint: `the model is loaded at start-up; if this stays, check Ollama at ${ollama.url} (\`curl ${ollama.url}/api/tags\`)` };
    return { ...check, hint: `check Ollama at ${ollama.url} (\`curl ${ollama.url}/api/tags\`) and the server log` };
  }
  if (/whisper|piper/.test(name)) {
    return { ...check, hint: `\`npm run models\` downloads it into ${models}; offline, \`npm run models -- --list\` prints every file and URL to copy by hand, then \`npm run models -- --verify\`` };
  }
  if (name.includes('espeak')) return { ...check, hint: 'install the Debian/Ubuntu package: `sudo apt-get install espeak-ng`' };
  return check;
}
