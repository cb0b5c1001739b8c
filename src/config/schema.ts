import { z } from 'zod';
import { isPolicyEntry } from '../net/outbound-policy.js';

/**
 * The server configuration: `config/phonevoice.example.yaml` documents every key.
 * Loaded by `loadConfig()` from the file named by PHONEVOICE_CONFIG, with environment
 * overrides applied on top, then validated here (errors name the bad key).
 */
const port = z.number().int().min(0).max(65535);

export const CALLED_NUMBER_SOURCES = ['request_uri', 'to', 'p_called_party_id', 'diversion', 'history_info'] as const;

const numberingSchema = z.object({
  /** Country of the trunk's national numbers ("1", "33"); null = the trunk only sends international numbers. */
  country_code: z.string().regex(/^[1-9]\d{0,2}$/, 'digits, no +').nullable().default(null),
  /** Trunk prefix before a national number ("0" in most of Europe, "1" in North America). */
  national_prefix: z.string().regex(/^\d{0,3}$/).default(''),
  /** Prefix before an international number ("00", "011"). */
  international_prefix: z.string().regex(/^\d{0,4}$/).default('00'),
  /** Digit strings up to this long are extensions / short numbers on this trunk, never rewritten. */
  extension_max_digits: z.number().int().min(0).max(8).default(6),
  /** How we write numbers we dial: "+15550002222", "15550002222", or national ("0612345678" / "00447…"). */
  outbound_format: z.enum(['e164', 'e164_without_plus', 'national']).default('e164'),
});

export const trunkSchema = z.object({
  name: z.string().min(1),
  host: z.string().min(1),
  port: port.default(5060),
  transport: z.enum(['udp', 'tcp']).default('udp'),
  /** Send requests through this proxy (host[:port]) instead of `host`. */
  outbound_proxy: z.string().nullable().default(null),
  username: z.string().nullable().default(null),
  password: z.string().nullable().default(null),
  realm: z.string().nullable().default(null),
  register: z.boolean().default(false),
  register_expires_seconds: z.number().int().min(60).default(3600),
  /** Caller id in From and P-Asserted-Identity when a call has no from_number. */
  caller_id: z.string().nullable().default(null),
  /** IPs or CIDRs allowed to send INVITEs in through this trunk. */
  allowed_sources: z.array(z.string()).default([]),
  /** E.164 prefixes routed to this trunk by the number plan ("+33", "+1"); empty = none. */
  prefixes: z.array(z.string()).default([]),
  /** Challenge inbound INVITEs from unknown sources with digest auth using username/password. */
  inbound_auth: z.boolean().default(false),
  /** How numbers are written on this trunk, inbound and outbound (src/telephony/number-plan.ts). */
  numbering: numberingSchema.prefault({}),
  /** Where the dialled number of an inbound call is read, first match that has a bound number wins. */
  called_number_from: z.array(z.enum(CALLED_NUMBER_SOURCES)).min(1).default(['request_uri', 'to', 'p_called_party_id']),
  /** Address written in Contact/Via/SDP towards this trunk (NAT); else telephony.sip.public_address, else the interface that routes to it. */
  public_address: z.string().nullable().default(null),
});
export type TrunkConfig = z.infer<typeof trunkSchema>;

export const configSchema = z.object({
  http: z.object({
    host: z.string().default('0.0.0.0'),
    port: port.default(8080),
    max_body_bytes: z.number().int().positive().default(1_048_576),
  }).prefault({}),
  public_url: z.string().url().nullable().default(null),
  data_dir: z.string().default('./data'),
  /** A key accepted from the start (PHONEVOICE_API_KEY); others are created with the CLI. */
  api_key: z.string().min(16).nullable().default(null),
  webhook_secret: z.string().min(16).nullable().default(null),
  default_webhook_url: z.string().url().nullable().default(null),
  /** /metrics and /readyz: a bearer token and/or their own listener (docs/operations.md, Prometheus). */
  metrics: z.object({
    /** Required as `Authorization: Bearer <token>` on /metrics; /readyz without it answers only its status. */
    token: z.string().min(16).nullable().default(null),
    /** Serve /metrics, /readyz and /healthz on host:port instead of the API port (e.g. 127.0.0.1:9464). */
    host: z.string().default('127.0.0.1'),
    port: port.nullable().default(null),
  }).prefault({}),
  /**
   * Which URLs users may make the server call (webhook_url, llm.url, transcriber.url, HTTP
   * tools): see src/net/outbound-policy.ts. Link-local and metadata addresses are always
   * refused; private and loopback ones only when listed in `allow`.
   */
  outbound_urls: z.object({
    allow: z.array(z.string().refine(isPolicyEntry, 'must be an IP, a CIDR or a host name (*.suffix allowed)')).default([]),
    deny: z.array(z.string().refine(isPolicyEntry, 'must be an IP, a CIDR or a host name (*.suffix allowed)')).default([]),
    allow_public: z.boolean().default(true),
  }).prefault({}),
  log: z.object({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    /** auto: readable lines when stdout is a terminal, JSON lines otherwise. */
    format: z.enum(['auto', 'pretty', 'json']).default('auto'),
  }).prefault({}),
  limits: z.object({
    max_concurrent_calls: z.number().int().positive().default(100),
    max_call_duration_seconds: z.number().int().positive().default(3600),
  }).prefault({}),
  pricing: z.object({
    currency: z.string().default('USD'),
    per_minute: z.number().min(0).default(0),
    /** Per component prices; when set they add up instead of `per_minute`. */
    components: z.object({
      telephony: z.number().min(0).optional(),
      stt: z.number().min(0).optional(),
      llm: z.number().min(0).optional(),
      tts: z.number().min(0).optional(),
    }).nullable().default(null),
  }).prefault({}),
  recording: z.object({
    enabled: z.boolean().default(true),
    link_ttl_seconds: z.number().int().positive().default(86_400),
  }).prefault({}),
  webhooks: z.object({
    timeout_ms: z.number().int().positive().default(10_000),
    /** Keep retrying a failing delivery for at least this long. */
    retry_window_seconds: z.number().int().positive().default(86_400),
    concurrency: z.number().int().positive().default(8),
    /** Deliver on a worker thread of their own, so webhook I/O never delays the media clock. */
    delivery_thread: z.boolean().default(true),
  }).prefault({}),
  telephony: z.object({
    engine: z.enum(['embedded', 'drachtio']).default('embedded'),
    /** Accept the well-known drachtio/FreeSWITCH secrets (`cymru`, `JambonzR0ck$`, `ClueCon`): local development only. */
    dev_mode: z.boolean().default(false),
    sip: z.object({
      host: z.string().default('0.0.0.0'),
      port: port.default(5060),
      transports: z.array(z.enum(['udp', 'tcp'])).default(['udp', 'tcp']),
      /** Address written in Via/Contact/SDP when the bind address is not reachable (NAT, 0.0.0.0). */
      public_address: z.string().nullable().default(null),
      user_agent: z.string().default('PhoneVoice'),
      /** SIP over TCP: close a connection silent this long, unless a call's dialog uses it. */
      tcp_idle_timeout_seconds: z.number().int().positive().default(120),
      /** SIP over TCP: close a connection that leaves a message half-sent (or, accepted, sends none) this long. */
      tcp_partial_message_timeout_seconds: z.number().int().positive().default(20),
      /** SIP over TCP: connections open at once (accepted + outgoing), and accepted from one address. */
      tcp_max_connections: z.number().int().positive().default(1000),
      tcp_max_connections_per_source: z.number().int().positive().default(50),
      /** RFC 4028 session timer: a call not refreshed within this many seconds is ended (BYE), so a dead peer — or a dead us — never leaves a dialog hanging. */
      session_expires_seconds: z.number().int().min(90).default(1800),
      /** Smallest Session-Expires we accept (422 below it). */
      min_se_seconds: z.number().int().min(90).default(90),
    }).prefault({}),
    rtp: z.object({
      port_min: port.default(20000),
      port_max: port.default(30000),
      jitter_buffer_ms: z.number().int().min(0).max(200).default(40),
      /** Embedded engine: RTP/RTCP socket I/O on a worker thread, off the main thread's event loop (issue 14). */
      io_thread: z.boolean().default(true),
      /**
       * With io_thread: each frame is made this many ms before it is due on the wire and the I/O
       * thread sends it on its own clock, so main-thread stalls shorter than this cost no jitter;
       * the lead is added once to what the caller hears. 0 sends as soon as the frame is made.
       */
      send_lead_ms: z.number().int().min(0).max(100).default(20),
    }).prefault({}),
    ring_timeout_seconds: z.number().int().positive().default(30),
    codecs: z.array(z.enum(['PCMU', 'PCMA'])).default(['PCMU', 'PCMA']),
    drachtio: z.object({
      host: z.string().default('127.0.0.1'),
      port: port.default(9022),
      secret: z.string().default('cymru'),
    }).prefault({}),
    freeswitch: z.object({
      host: z.string().default('127.0.0.1'),
      port: port.default(8021),
      secret: z.string().default('JambonzR0ck$'),
      /** WebSocket URL FreeSWITCH's mod_audio_fork connects back to (the app's media server). */
      audio_ws_url: z.string().nullable().default(null),
      audio_ws_port: port.default(8090),
      /** Where our outbound-ESL listener binds (FreeSWITCH connects back to it per call); same host by default. */
      esl_listen_address: z.string().default('127.0.0.1'),
      /** Address FreeSWITCH is told to connect back to, when it differs from the listen address (NAT, containers). */
      esl_advertise_address: z.string().nullable().default(null),
    }).prefault({}),
  }).prefault({}),
  trunks: z.array(trunkSchema).default([]),
  /** Trunk for E.164 numbers no trunk prefix matches. */
  default_trunk: z.string().nullable().default(null),
  models: z.object({
    dir: z.string().default('./models'),
  }).prefault({}),
  providers: z.object({
    ollama: z.object({
      url: z.string().url().default('http://127.0.0.1:11434'),
      model: z.string().default('llama3.2:1b'),
      keep_alive: z.string().default('30m'),
    }).prefault({}),
    whisper: z.object({
      /** Folder under models.dir: <org>/<model> as @huggingface/transformers expects. */
      model: z.string().default('onnx-community/whisper-tiny.en'),
      dtype: z.string().default('q8'),
    }).prefault({}),
    piper: z.object({
      voice: z.string().default('en_US-lessac-medium'),
    }).prefault({}),
    vad: z.object({
      /**
       * Audio per Silero inference. 64 ms (the default) decides speech in 64 ms steps at a quarter
       * less VAD CPU than 32 ms (200 calls on 2 cores: the VAD thread 49 % → 36 % of a core);
       * 96 ms less still. 64 and 96 need the v4 model (the one shipped); a v5 model takes 32 only.
       */
      window_ms: z.union([z.literal(32), z.literal(64), z.literal(96)]).default(64),
      /**
       * How long the first frame of a batch waits for frames of other calls before the batch
       * goes to the VAD worker. Longer: bigger batches, less CPU per frame (ORT's fixed cost per
       * run is ~0.4 ms), each speech decision up to this much later.
       */
      batch_window_ms: z.number().min(0).max(50).default(5),
    }).prefault({}),
    /** Fixed-latency fake providers for load tests and benchmarks (never for production). */
    fake: z.object({
      enabled: z.boolean().default(false),
      stt_delay_ms: z.number().int().min(0).default(50),
      llm_first_token_ms: z.number().int().min(0).default(100),
      tts_first_audio_ms: z.number().int().min(0).default(50),
    }).prefault({}),
  }).prefault({}),
});

export type Config = z.infer<typeof configSchema>;
