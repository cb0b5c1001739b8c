import { pino, type DestinationStream, type Logger } from 'pino';
import { snakeCaseFields } from './log-fields.js';
import { redactFields, scrubSecrets } from './redact.js';

export type { Logger };

/**
 * Structured JSON logs, field names in snake_case (`call_id`). Secrets are redacted by key name at any depth, so a config object,
 * an assistant or request headers can be logged without leaking credentials, and every
 * secret value the process knows (`rememberSecret`) is scrubbed from the final line.
 */
export function createLogger(level: string = process.env.PHONEVOICE_LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  return pino({
    level,
    base: { service: 'phonevoice' },
    formatters: { log: (obj) => snakeCaseFields(redactFields(obj)) },
    hooks: { streamWrite: scrubSecrets },
    redact: {
      paths: [
        'api_key', '*.api_key', '*.*.api_key', '*.*.*.api_key', 'password', '*.password', '*.*.password', 'secret', '*.secret', '*.*.secret',
        'webhook_secret', '*.webhook_secret', 'authorization', '*.authorization', 'headers.authorization',
        'req.headers.authorization', 'trunks[*].password',
      ],
      censor: '[redacted]',
    },
  }, destination);
}

/** A logger that writes nothing (tests, benchmarks). */
export const silentLogger: Logger = pino({ level: 'silent' });
