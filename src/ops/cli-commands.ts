import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createApiKey, getSetting, listApiKeys, revokeApiKey, rotateWebhookSecret } from '../db/credentials.js';
import { migrate, openDatabase, type Db } from '../db/open.js';
import { callsList, callsShow, callsTail } from './cli-calls.js';
import { iso, table } from './cli-format.js';
import { assistantsList, assistantsShow, numbersList } from './cli-resources.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env?: NodeJS.ProcessEnv;
  /** Ends a following command (`calls tail`); Ctrl-C does the same. */
  signal?: AbortSignal;
}

const USAGE = `usage: phonevoice <command>
  keys create [--account <name|id>] [--name <label>]   create an API key (printed once)
  keys list                                            list keys (prefix only)
  keys revoke <key_id>                                 revoke a key
  secret show                                          print the webhook signing secret
  secret rotate                                        replace the webhook signing secret
  migrate                                              apply pending database migrations
  calls list [--limit N] [--status S] [--account A]    recent calls
  calls show <call_id>                                 status, timing, transcript, analysis, webhook deliveries
  calls tail                                           live calls, then new calls and transcript lines as they happen
  numbers                                              phone numbers and the assistant each reaches
  assistants list | assistants show <asst_id>          assistants (provider keys masked)
Reads the server's database directly (same host, no API key).
Configuration comes from PHONEVOICE_CONFIG and the PHONEVOICE_* environment, like the server.`;

function flags(args: string[]): { positional: string[]; opts: Record<string, string> } {
  const positional: string[] = [];
  const opts: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split('=', 2);
      const v = inline ?? args[++i];
      if (v === undefined) throw new Error(`--${k} needs a value`);
      opts[k!] = v;
    } else positional.push(a);
  }
  return { positional, opts };
}


/** Run one CLI command; returns the exit status. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [group, action, ...rest] = argv;
  if (!group || group === 'help' || group === '--help' || group === '-h') {
    io.out(USAGE);
    return group ? 0 : 2;
  }
  let config: Config;
  try {
    config = loadConfig({ env: io.env ?? process.env });
  } catch (err) {
    io.err((err as Error).message);
    return 2;
  }
  let db: Db | null = null;
  try {
    db = await openDatabase(config.data_dir, { migrate: group !== 'migrate' });
    const { positional, opts } = flags(rest);
    switch (`${group} ${group === 'migrate' ? '' : action ?? ''}`.trim()) {
      case 'keys create': {
        const created = await createApiKey(db, { account: opts.account, name: opts.name ?? null });
        io.out(`Created ${created.id} for account ${created.accountId}. Store this key now, it is not shown again:`);
        io.out(created.key);
        return 0;
      }
      case 'keys list': {
        const keys = await listApiKeys(db);
        io.out(table([['ID', 'ACCOUNT', 'PREFIX', 'NAME', 'CREATED', 'REVOKED'], ...keys.map((k) => [k.id, k.account_id, `${k.prefix}…`, k.name ?? '', iso(k.created_at), iso(k.revoked_at)])]).join('\n'));
        return 0;
      }
      case 'keys revoke': {
        const id = positional[0];
        if (!id) throw new Error('keys revoke needs a key id (see keys list)');
        if (!(await revokeApiKey(db, id))) {
          io.err(`No active key ${id}.`);
          return 1;
        }
        io.out(`Revoked ${id}.`);
        return 0;
      }
      case 'secret show': {
        if (config.webhook_secret) io.out(`${config.webhook_secret}  (from the configuration / PHONEVOICE_WEBHOOK_SECRET)`);
        else {
          const secret = await getSetting(db, 'webhook_secret');
          if (!secret) {
            io.err('No webhook secret yet: start the server once, or run `phonevoice secret rotate`.');
            return 1;
          }
          io.out(secret);
        }
        return 0;
      }
      case 'secret rotate': {
        const secret = await rotateWebhookSecret(db);
        io.out(secret);
        if (config.webhook_secret) io.err('Note: PHONEVOICE_WEBHOOK_SECRET / webhook_secret is set and takes precedence over the stored secret.');
        else io.err('The running server signs with the new secret from its next delivery attempt.');
        return 0;
      }
      case 'migrate': {
        const applied = await migrate(db);
        io.out(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
        return 0;
      }
      case 'calls list':
        await callsList(db, io.out, opts);
        return 0;
      case 'calls show':
      case 'assistants show': {
        const id = positional[0];
        if (!id) throw new Error(`${group} show needs an id (see ${group} list)`);
        if (await (group === 'calls' ? callsShow(db, id, io.out) : assistantsShow(db, id, io.out))) return 0;
        io.err(`No ${group === 'calls' ? 'call' : 'assistant'} ${id}.`);
        return 1;
      }
      case 'calls tail': {
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        process.once('SIGINT', onSignal);
        io.signal?.addEventListener('abort', onSignal, { once: true });
        try {
          await callsTail(db, io.out, stop.signal);
        } finally {
          process.off('SIGINT', onSignal);
        }
        return 0;
      }
      case 'numbers':
      case 'numbers list':
        await numbersList(db, io.out);
        return 0;
      case 'assistants':
      case 'assistants list':
        await assistantsList(db, io.out);
        return 0;
      default:
        io.err(`unknown command: ${argv.join(' ')}\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    io.err(`phonevoice: ${(err as Error).message}`);
    return 1;
  } finally {
    await db?.destroy();
  }
}
