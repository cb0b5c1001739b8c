import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiCompatibleStt } from '../../src/providers/stt/openai-compatible.js';
import { decodeWav } from '../../src/providers/tts/wav.js';

/**
 * A transcription server as faster-whisper-server / whisper.cpp serve it: multipart form
 * with `file` and `model`, JSON `{text}` back. It parses the upload with the platform's own
 * multipart parser (Request.formData) and answers with the WAV's duration, so the test sees
 * what actually arrived.
 */
let server: Server;
let baseUrl: string;
const seen: Array<{ model: string; auth: string | undefined; sampleRate: number; samples: number }> = [];

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/audio/transcriptions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    const form = await new Request('http://x', { method: 'POST', headers: req.headers as Record<string, string>, body: await readBody(req) }).formData();
    const file = form.get('file');
    const model = form.get('model');
    if (!(file instanceof Blob) || typeof model !== 'string') {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"file and model are required"}}');
      return;
    }
    if (model === 'broken') {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"CUDA out of memory"}}');
      return;
    }
    const wav = decodeWav(Buffer.from(await file.arrayBuffer()));
    seen.push({ model, auth: req.headers.authorization, sampleRate: wav.sampleRate, samples: wav.pcm.length });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: ` heard ${wav.pcm.length} samples ` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('openai_compatible STT', () => {
  it('uploads the segment as WAV with the model and returns the trimmed text', async () => {
    const stt = new OpenAiCompatibleStt({ url: `${baseUrl}/v1/`, model: 'Systran/faster-whisper-small', apiKey: 'sk-test-key' });
    const result = await stt.transcribe(new Int16Array(8000).fill(100), 8000);
    expect(result).toEqual({ text: 'heard 8000 samples' });
    expect(seen.at(-1)).toEqual({ model: 'Systran/faster-whisper-small', auth: 'Bearer sk-test-key', sampleRate: 8000, samples: 8000 });
  });

  it('reports a server error with its status and message', async () => {
    const stt = new OpenAiCompatibleStt({ url: baseUrl, model: 'broken' });
    await expect(stt.transcribe(new Int16Array(160), 16000)).rejects.toThrow(/answered 500: .*CUDA out of memory/);
  });

  it('follows the LLM URL convention: a bare host means /v1, a path is used as given', async () => {
    for (const url of [baseUrl, `${baseUrl}/v1`, `${baseUrl}/v1/`]) {
      await expect(new OpenAiCompatibleStt({ url, model: 'Systran/faster-whisper-small' }).transcribe(new Int16Array(1600), 16000)).resolves.toMatchObject({ text: expect.any(String) });
    }
  });

  it('reports a wrong URL clearly', async () => {
    const stt = new OpenAiCompatibleStt({ url: `${baseUrl}/nope` });
    await expect(stt.transcribe(new Int16Array(160), 16000)).rejects.toThrow(/answered 404/);
  });

  it('is cancelled by its signal', async () => {
    const stt = new OpenAiCompatibleStt({ url: baseUrl });
    await expect(stt.transcribe(new Int16Array(160), 16000, AbortSignal.abort())).rejects.toThrow();
  });
});
