import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TurnLatency } from '../domain/call.js';
import type { MediaStats } from '../media/types.js';
import type { Telephony } from '../telephony/types.js';

/** Prometheus metrics of one server instance (its own registry, so tests can run several). */
export class Metrics {
  readonly registry = new Registry();
  readonly calls = new Counter({ name: 'phonevoice_calls_total', help: 'Calls by status reached', labelNames: ['status'], registers: [this.registry] });
  readonly activeCalls = new Gauge({ name: 'phonevoice_active_calls', help: 'Calls queued, ringing or in progress', registers: [this.registry] });
  readonly webhookAttempts = new Counter({ name: 'phonevoice_webhook_attempts_total', help: 'Webhook delivery attempts by outcome', labelNames: ['outcome'], registers: [this.registry] });
  readonly webhookLatency = new Histogram({
    name: 'phonevoice_webhook_attempt_seconds', help: 'Webhook attempt duration', labelNames: ['outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry],
  });
  readonly http = new Histogram({
    name: 'phonevoice_http_request_seconds', help: 'HTTP request latency', labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [this.registry],
  });

  readonly turnLatency = new Histogram({
    name: 'phonevoice_turn_latency_seconds', help: 'Per-turn latency of the voice loop by stage', labelNames: ['stage'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 5], registers: [this.registry],
  });
  readonly vadLag = new Histogram({
    name: 'phonevoice_vad_lag_seconds', help: 'From a window of caller audio arriving to its VAD answer; grows past capacity (voice-to-voice includes it)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2], registers: [this.registry],
  });
  readonly rtpPackets = new Counter({ name: 'phonevoice_rtp_packets_total', help: 'RTP packets of ended calls by direction and fate', labelNames: ['direction'], registers: [this.registry] });
  readonly rtpJitter = new Histogram({
    name: 'phonevoice_rtp_jitter_ms',
    help: 'Per ended call: RFC 3550 interarrival jitter of received RTP (direction="received"); p99 of how late the media clock made each frame (direction="sent_p99"; with a send lead, only lateness beyond the lead)',
    labelNames: ['direction'],
    buckets: [0.5, 1, 2, 5, 10, 20, 40, 80], registers: [this.registry],
  });
  readonly rtpSpoofed = new Counter({
    name: 'phonevoice_rtp_spoofed_packets_total', help: 'RTP packets of ended calls dropped as coming from neither the SDP address nor the SIP source (never latched)', registers: [this.registry],
  });
  #telephony: Pick<Telephony, 'kind' | 'health'> | null = null;
  // Gauges read at scrape time (prom-client calls collect()), so they show the engine's current state.
  readonly telephonyReady = new Gauge({
    name: 'phonevoice_telephony_ready', help: '1 when the telephony engine is ready', labelNames: ['engine'], registers: [this.registry],
    collect: () => {
      if (this.#telephony) this.telephonyReady.set({ engine: this.#telephony.kind }, this.#telephony.health().ready ? 1 : 0);
    },
  });
  readonly trunkRegistered = new Gauge({
    name: 'phonevoice_trunk_registered', help: 'REGISTER state of trunks that register: 1 registered, 0 not', labelNames: ['trunk'], registers: [this.registry],
    collect: () => {
      for (const t of this.#telephony?.health().trunks ?? []) {
        if (t.registered !== null) this.trunkRegistered.set({ trunk: t.name }, t.registered ? 1 : 0);
      }
    },
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'phonevoice_' });
  }

  observeTurn(t: TurnLatency): void {
    for (const [stage, ms] of [
      ['endpointing', t.endpointingMs], ['stt', t.sttMs], ['llm_first_token', t.llmFirstTokenMs],
      ['tts_first_audio', t.ttsFirstAudioMs], ['voice_to_voice', t.voiceToVoiceMs],
    ] as const) {
      if (ms !== null) this.turnLatency.observe({ stage }, ms / 1000);
    }
  }

  observeMedia(stats: MediaStats): void {
    this.rtpPackets.inc({ direction: 'sent' }, stats.packetsSent);
    this.rtpPackets.inc({ direction: 'received' }, stats.packetsReceived);
    this.rtpPackets.inc({ direction: 'lost' }, stats.packetsLost);
    if (stats.packetsSpoofed) this.rtpSpoofed.inc(stats.packetsSpoofed);
    if (stats.packetsReceived > 0) this.rtpJitter.observe({ direction: 'received' }, stats.jitterMs);
    if (stats.sendJitterP99Ms !== undefined) this.rtpJitter.observe({ direction: 'sent_p99' }, stats.sendJitterP99Ms);
  }

  /** Report this engine's readiness and trunk registrations on /metrics. */
  watchTelephony(telephony: Pick<Telephony, 'kind' | 'health'>): void {
    this.#telephony = telephony;
  }
}
