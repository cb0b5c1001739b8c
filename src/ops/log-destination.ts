import type { DestinationStream } from 'pino';
import { build as prettyStream } from 'pino-pretty';

export type LogFormat = 'auto' | 'pretty' | 'json';

/**
 * Where the server's log lines go: readable lines on a terminal (time, level, message, then
 * the fields), JSON lines when stdout is a file, a pipe or a log collector. `auto` decides by
 * `isTTY`. Returns undefined for JSON: pino's own fast stdout writer.
 */
export function logDestination(format: LogFormat, stream: NodeJS.WriteStream = process.stdout): DestinationStream | undefined {
  const pretty = format === 'pretty' || (format === 'auto' && stream.isTTY === true);
  if (!pretty) return undefined;
  return prettyStream({
    destination: stream,
    colorize: stream.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
    singleLine: true,
    sync: true,
  });
}
