import { createReadStream, existsSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';

/**
 * A call's WAV for the console's player, with byte ranges so the audio element (and a click on
 * the waveform) can seek without downloading the whole file again.
 */
export function recordingResponse(file: string | null, range: string | undefined): Response {
  if (!file || !existsSync(file)) return new Response('This call has no recording.', { status: 404, headers: { 'Content-Type': 'text/plain' } });
  const size = statSync(file).size;
  const headers: Record<string, string> = { 'Content-Type': 'audio/wav', 'Accept-Ranges': 'bytes', 'Cache-Control': 'private, no-store' };
  const m = range ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null;
  if (range && (!m || (m[1] === '' && m[2] === ''))) {
    return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${size}` } });
  }
  let start = 0;
  let end = size - 1;
  if (m) {
    if (m[1] === '') start = Math.max(0, size - Number(m[2]));
    else {
      start = Number(m[1]);
      if (m[2] !== '') end = Math.min(end, Number(m[2]));
    }
    if (start > end || start >= size) return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${size}` } });
  }
  const body = Readable.toWeb(createReadStream(file, { start, end })) as ReadableStream;
  headers['Content-Length'] = String(end - start + 1);
  if (!m) return new Response(body, { status: 200, headers });
  return new Response(body, { status: 206, headers: { ...headers, 'Content-Range': `bytes ${start}-${end}/${size}` } });
}
