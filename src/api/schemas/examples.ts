/**
 * Examples shown in the API reference. `test/api/openapi.test.ts` parses each with its schema,
 * so an example that no longer matches the API fails the build.
 */
const t0 = '2026-03-01T09:30:00.000Z';
const callId = 'call_8f14e45fceea167a5a36dedd';
const asstId = 'asst_c9f0f895fb98ab9159f51fd0';

export const callCreateExample = { phone_number: '+33612345678', assistant_id: asstId, webhook_url: 'https://example.com/hook', metadata: { crm_id: 'C-1042' }, variables: { first_name: 'Ada' } };

export const callExample = {
  id: callId, object: 'call', direction: 'outbound', status: 'completed', phone_number: '+33612345678', from_number: '+33187654321',
  assistant_id: asstId, webhook_url: 'https://example.com/hook', metadata: { crm_id: 'C-1042' }, created_at: t0,
  answered_at: '2026-03-01T09:30:04.120Z', ended_at: '2026-03-01T09:32:26.480Z', duration_seconds: 142, end_reason: 'customer_hangup',
  sip_status: null, cost: 0.1183, recording_url: `https://pv.example.com/v1/recordings/${callId}?expires=1772444400&signature=3b9c…`,
  analysis: { sentiment: 'positive', intent: 'book_appointment', summary: 'The caller booked a cleaning on Tuesday at 10:00.', success: true },
  latency: { turns: 6, voice_to_voice: { p50: 812, p90: 1030, p95: 1090, p99: 1180 }, endpointing: { p50: 420, p90: 510, p95: 530, p99: 560 }, stt: { p50: 160, p90: 240, p95: 250, p99: 260 }, llm_first_token: { p50: 150, p90: 230, p95: 260, p99: 300 }, tts_first_audio: { p50: 60, p90: 80, p95: 88, p99: 95 } },
};

export const transcriptExample = {
  object: 'transcript', call_id: callId,
  utterances: [
    { role: 'assistant', kind: 'speech', text: 'Hello, Dental Care, how can I help?', start_ms: 0, end_ms: 2100, interrupted: false },
    { role: 'user', kind: 'speech', text: 'I would like to book a cleaning.', start_ms: 2600, end_ms: 4300, interrupted: false },
  ],
  tool_calls: [
    { name: 'check_calendar', arguments: { day: 'tuesday' }, result: '{"free":["10:00","14:30"]}', error: null, start_ms: 5100, duration_ms: 184 },
  ],
};

export const assistantCreateExample = {
  name: 'Front desk', system_prompt: 'You book appointments for {{clinic}}. Keep answers short.', first_message: 'Hello, Dental Care, how can I help?',
  voice: { provider: 'piper', voice: 'en_US-lessac-medium' }, llm: { provider: 'ollama', model: 'llama3.2:1b', temperature: 0.3 },
  tools: [{ type: 'end_call' }, { type: 'transfer_call', destinations: [{ number: '+33100000000', description: 'reception' }] }],
  analysis: { intents: ['book_appointment', 'cancel', 'question'] },
};

export const assistantExample = {
  id: asstId, object: 'assistant', ...assistantCreateExample,
  first_message_mode: 'assistant_speaks_first', language: 'en', transcriber: { provider: 'whisper', model: 'onnx-community/whisper-tiny.en' },
  end_call_phrases: [], interruption: { enabled: true, min_speech_ms: 500, ignore_phrases: ['yeah', 'okay', 'mm-hm', 'uh-huh', 'right'] },
  endpointing_ms: 500, silence_timeout_seconds: 30, max_duration_seconds: 1800, voicemail: null,
  analysis: { intents: ['book_appointment', 'cancel', 'question'] }, webhook_url: null, metadata: {}, created_at: t0, updated_at: t0,
};

export const phoneNumberCreateExample = { number: '+33187654321', assistant_id: asstId, trunk: 'pbx' };
export const phoneNumberExample = { id: 'pn_45c48cce2e2d7fbdea1afc51', object: 'phone_number', number: '+33187654321', kind: 'e164', assistant_id: asstId, trunk: 'pbx', created_at: t0 };

export const deliveryExample = {
  id: 'whd_d3d9446802a44259755d38e6', object: 'webhook_delivery', event_id: 'evt_6512bd43d9caa6e02c990b0a', event: 'call.completed', call_id: callId,
  url: 'https://example.com/hook', status: 'delivered', attempt_count: 2, next_attempt_at: null, last_error: null,
  created_at: '2026-03-01T09:32:26.500Z', delivered_at: '2026-03-01T09:32:28.610Z',
  attempts: [
    { attempt: 1, started_at: '2026-03-01T09:32:26.510Z', duration_ms: 31.4, status_code: 502, error: null },
    { attempt: 2, started_at: '2026-03-01T09:32:28.580Z', duration_ms: 28.9, status_code: 200, error: null },
  ],
};

export const analyticsExample = {
  object: 'analytics', from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z', assistant_id: null, calls: 12,
  by_status: { completed: 10, no_answer: 2 }, by_end_reason: { customer_hangup: 8, assistant_hangup: 2, no_answer: 2 },
  total_duration_seconds: 1380, average_duration_seconds: 138, total_cost: 1.15, sentiment: { positive: 7, neutral: 3 }, intent: { book_appointment: 6, question: 4 },
  latency: callExample.latency,
};

export const okExample = { ok: true };
