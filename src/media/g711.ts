/**
 * G.711 μ-law (PCMU) and A-law (PCMA) through lookup tables.
 *
 * The tables are built once at module load by running the classic ITU-T G.711 bit-level
 * algorithms over every input, so the hot path is a single indexed load per sample: no
 * branches, no segment search. The encode tables take the 16-bit two's-complement pattern
 * of the sample as index (65,536 bytes each), the decode tables the code byte.
 */

const ULAW_BIAS = 0x84;
const ULAW_CLIP = 32635;

/** ITU-T G.711 μ-law encoder for one sample (reference algorithm, used to build the table). */
export function ulawEncodeReference(sample: number): number {
  let s = sample;
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > ULAW_CLIP) s = ULAW_CLIP;
  s += ULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** ITU-T G.711 μ-law decoder for one code (reference algorithm). */
export function ulawDecodeReference(code: number): number {
  const u = ~code & 0xff;
  const t = (((u & 0x0f) << 3) + ULAW_BIAS) << ((u & 0x70) >> 4);
  return u & 0x80 ? ULAW_BIAS - t : t - ULAW_BIAS;
}

/** ITU-T G.711 A-law encoder for one sample (reference algorithm). */
export function alawEncodeReference(sample: number): number {
  let s = sample >> 3; // A-law works on 13-bit magnitudes
  let mask: number;
  if (s >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    s = -s - 1;
  }
  const segEnds = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
  let seg = 0;
  while (seg < 8 && s > segEnds[seg]!) seg++;
  if (seg >= 8) return 0x7f ^ mask;
  let aval = seg << 4;
  aval |= seg < 2 ? (s >> 1) & 0x0f : (s >> seg) & 0x0f;
  return aval ^ mask;
}

/** ITU-T G.711 A-law decoder for one code (reference algorithm). */
export function alawDecodeReference(code: number): number {
  const a = code ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

function buildEncodeTable(encode: (sample: number) => number): Uint8Array {
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encode(i < 32768 ? i : i - 65536);
  return table;
}

function buildDecodeTable(decode: (code: number) => number): Int16Array {
  const table = new Int16Array(256);
  for (let i = 0; i < 256; i++) table[i] = decode(i);
  return table;
}

export const ULAW_ENCODE = buildEncodeTable(ulawEncodeReference);
export const ULAW_DECODE = buildDecodeTable(ulawDecodeReference);
export const ALAW_ENCODE = buildEncodeTable(alawEncodeReference);
export const ALAW_DECODE = buildDecodeTable(alawDecodeReference);

/** The code byte for digital silence, what we send when the assistant has nothing to say. */
export const ULAW_SILENCE = ULAW_ENCODE[0]!;
export const ALAW_SILENCE = ALAW_ENCODE[0]!;

export interface G711Tables {
  encode: Uint8Array;
  decode: Int16Array;
}

export const PCMU: G711Tables = { encode: ULAW_ENCODE, decode: ULAW_DECODE };
export const PCMA: G711Tables = { encode: ALAW_ENCODE, decode: ALAW_DECODE };

/** Tables for an RTP static payload type (0 = PCMU, 8 = PCMA), or null for anything else. */
export function g711ForPayloadType(payloadType: number): G711Tables | null {
  if (payloadType === 0) return PCMU;
  if (payloadType === 8) return PCMA;
  return null;
}

/** Encode `length` samples of `pcm` into `out` starting at `outOffset`. */
export function g711Encode(tables: G711Tables, pcm: Int16Array, length: number, out: Uint8Array, outOffset: number): void {
  const enc = tables.encode;
  for (let i = 0; i < length; i++) out[outOffset + i] = enc[pcm[i]! & 0xffff]!;
}

/** Decode `length` code bytes of `payload` from `offset` into `out` starting at `outOffset`. */
export function g711Decode(
  tables: G711Tables,
  payload: Uint8Array,
  offset: number,
  length: number,
  out: Int16Array,
  outOffset: number,
): void {
  const dec = tables.decode;
  for (let i = 0; i < length; i++) out[outOffset + i] = dec[payload[offset + i]!]!;
}
