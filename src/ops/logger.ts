import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Secrets are redacted by key name wherever they appear, so a
 * config object or request headers can be logged without leaking credentials.
 */
export function createLogger(level: string = process.env.PHONEVOICE_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service: 'phonevoice' },
    redact: {
      paths: [
        'api_key', '*.api_key', '*.*.api_key', '*.*.*.api_key', 'password', '*.password', '*.*.password', 'secret', '*.secret', '*.*.secret',
        'webhook_secret', '*.webhook_secret', 'authorization', '*.authorization', 'headers.authorization',
        'req.headers.authorization', 'trunks[*].password',
      ],
      censor: '[redacted]',
    },
  });
}

/** A logger that writes nothing (tests, benchmarks). */
export const silentLogger: Logger = pino({ level: 'silent' });
