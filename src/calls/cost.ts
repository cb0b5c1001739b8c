import type { Config } from '../config/schema.js';

/** Price of a call: connected minutes (pro rata) × the per-minute price, or the sum of component prices when set. Rounded to 4 decimals. */
export function callCost(connectedMs: number, pricing: Config['pricing']): number {
  const c = pricing.components;
  const perMinute = c ? (c.telephony ?? 0) + (c.stt ?? 0) + (c.llm ?? 0) + (c.tts ?? 0) : pricing.per_minute;
  return Math.round((Math.max(0, connectedMs) / 60_000) * perMinute * 10_000) / 10_000;
}
