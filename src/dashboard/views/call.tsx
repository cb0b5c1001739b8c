import type { Child } from 'hono/jsx';
import type { LatencyRow } from '../../calls/percentiles.js';
import type { CallJson, DeliveryJson, ToolCallJson, UtteranceJson } from '../api-types.js';
import { StatusBadge } from './calls.js';
import { Field } from './fields.js';
import { Deliveries } from './deliveries.js';
import { duration, humanize, isActive, ms, when } from './format.js';
import { Layout } from './layout.js';
import { Transcript } from './transcript.js';

export interface CallView {
  base: string;
  call: CallJson;
  assistantName: string | null;
  lines: UtteranceJson[];
  toolCalls: ToolCallJson[];
  latency: LatencyRow[];
  deliveries: DeliveryJson[];
}

export const CALL_PARTS = ['summary', 'controls', 'transcript', 'recording', 'analysis', 'deliveries'] as const;
export type CallPart = (typeof CALL_PARTS)[number];

function Fact({ label, children }: { label: string; children: Child }) {
  return <div><dt>{label}</dt><dd>{children}</dd></div>;
}

function Summary({ base, call, assistantName }: CallView) {
  return (
    <>
      <div class="call-title">
        <h1>{call.direction === 'inbound' ? 'Call from ' : 'Call to '}{call.phone_number}</h1>
        <StatusBadge status={call.status} />
      </div>
      <dl class="facts">
        <Fact label="Call id"><code>{call.id}</code></Fact>
        <Fact label="Direction">{humanize(call.direction)}</Fact>
        <Fact label="Line">{call.from_number ?? '—'}</Fact>
        <Fact label="Assistant"><a href={`${base}/assistants/${call.assistant_id}`}>{assistantName ?? call.assistant_id}</a></Fact>
        <Fact label="Created">{when(call.created_at)}</Fact>
        <Fact label="Answered">{when(call.answered_at)}</Fact>
        <Fact label="Ended">{when(call.ended_at)}</Fact>
        <Fact label="Duration">{duration(call.duration_seconds)}</Fact>
        <Fact label="End reason">{humanize(call.end_reason)}{call.sip_status ? ` (SIP ${call.sip_status})` : ''}</Fact>
        <Fact label="Cost">{call.cost === null ? '—' : call.cost.toFixed(4)}</Fact>
      </dl>
    </>
  );
}

function ApiForm({ path, label, children, then = 'part:transcript' }: { path: string; label: string; children?: Child; then?: string }) {
  return (
    <form data-api="POST" data-path={path} data-then={then} novalidate class="control" aria-label={label}>
      {children}
      <p class="form-status" role="status"></p>
    </form>
  );
}

function Controls({ call }: CallView) {
  if (!isActive(call.status)) return <></>;
  const p = `/v1/calls/${call.id}`;
  return (
    <>
      <h2>Live controls</h2>
      <div class="controls">
        <ApiForm path={`${p}/say`} label="Say something">
          <Field spec={{ name: 'text', label: 'Say', kind: 'textarea', required: true }} />
          <Field spec={{ name: 'interrupt', label: 'Interrupt what is playing', kind: 'checkbox' }} />
          <button type="submit" class="button">Say it</button>
        </ApiForm>
        <ApiForm path={`${p}/dtmf`} label="Send DTMF">
          <Field spec={{ name: 'digits', label: 'DTMF digits', kind: 'tel', required: true, hint: '0-9 * # A-D; , pauses' }} />
          <button type="submit" class="button">Send digits</button>
        </ApiForm>
        <ApiForm path={`${p}/transfer`} label="Transfer the call" then="part:summary">
          <Field spec={{ name: 'to', label: 'Transfer to', kind: 'tel', required: true, hint: 'E.164 or sip:user@host' }} />
          <button type="submit" class="button">Transfer</button>
        </ApiForm>
        <ApiForm path={`${p}/hangup`} label="Hang up" then="part:summary">
          <button type="submit" class="button danger">Hang up</button>
        </ApiForm>
      </div>
    </>
  );
}

function Recording({ base, call }: CallView) {
  const src = `${base}/calls/${call.id}/recording`;
  return (
    <>
      <h2 id="recording-title">Recording</h2>
      {call.recording_url ? (
        <figure class="recording">
          <audio controls preload="metadata" src={src} aria-labelledby="recording-title" data-recording></audio>
          <div class="waveform" data-waveform={src} role="img" aria-label="Waveform: caller on the upper lane, assistant on the lower lane">
            <div class="lane-labels" aria-hidden="true"><span>Caller</span><span>Assistant</span></div>
          </div>
          <figcaption class="muted">Stereo: the caller is the left channel (upper lane), the assistant the right (lower lane).</figcaption>
        </figure>
      ) : <p class="muted">{isActive(call.status) ? 'The recording is available when the call ends.' : 'This call has no recording.'}</p>}
    </>
  );
}

function Analysis({ call }: CallView) {
  const a = call.analysis as (NonNullable<CallJson['analysis']> & { structured_data?: unknown; error?: string | null }) | null;
  const l = call.latency;
  const stages: Array<[string, typeof l.voice_to_voice]> = [
    ['Voice to voice', l.voice_to_voice], ['Endpointing', l.endpointing], ['STT', l.stt], ['LLM first token', l.llm_first_token], ['TTS first audio', l.tts_first_audio],
  ];
  return (
    <>
      <h2>Analysis</h2>
      {a ? (
        <dl class="facts analysis">
          <Fact label="Sentiment"><span class={`badge sentiment-${a.sentiment ?? 'none'}`}>{a.sentiment ?? '—'}</span></Fact>
          <Fact label="Intent">{humanize(a.intent)}</Fact>
          <Fact label="Success">{a.success === null ? '—' : a.success ? 'Yes' : 'No'}</Fact>
          <div class="wide"><dt>Summary</dt><dd class="summary">{a.summary ?? '—'}</dd></div>
          {a.structured_data ? <div class="wide"><dt>Structured data</dt><dd><pre>{JSON.stringify(a.structured_data, null, 2)}</pre></dd></div> : null}
          {a.error ? <div class="wide"><dt>Why fields are empty</dt><dd>{a.error}</dd></div> : null}
        </dl>
      ) : <p class="muted">{isActive(call.status) ? 'Analysis runs when the call ends.' : 'No analysis for this call.'}</p>}
      <h3>Latency over {l.turns} turn{l.turns === 1 ? '' : 's'}</h3>
      <table class="latency">
        <thead><tr><th scope="col">Stage</th><th scope="col" class="num">p50</th><th scope="col" class="num">p90</th><th scope="col" class="num">p99</th></tr></thead>
        <tbody>{stages.map(([name, p]) => <tr><th scope="row">{name}</th><td class="num">{ms(p?.p50)}</td><td class="num">{ms(p?.p90)}</td><td class="num">{ms(p?.p99)}</td></tr>)}</tbody>
      </table>
    </>
  );
}

export function CallPartView({ part, view }: { part: CallPart; view: CallView }) {
  switch (part) {
    case 'summary': return <Summary {...view} />;
    case 'controls': return <Controls {...view} />;
    case 'transcript': return <Transcript lines={view.lines} toolCalls={view.toolCalls} latency={view.latency} live={isActive(view.call.status)} />;
    case 'recording': return <Recording {...view} />;
    case 'analysis': return <Analysis {...view} />;
    case 'deliveries': return <Deliveries deliveries={view.deliveries} />;
  }
}

function Part({ name, view }: { name: CallPart; view: CallView }) {
  return (
    <section class={`part part-${name}`} data-part={name} data-part-url={`${view.base}/calls/${view.call.id}/part/${name}`}>
      <CallPartView part={name} view={view} />
    </section>
  );
}

export function CallPage({ view, csrf }: { view: CallView; csrf: string }) {
  return (
    <Layout title={`Call ${view.call.phone_number}`} base={view.base} csrf={csrf} section="calls">
      <div class="call-page" data-call-live={view.call.id} data-call-status={view.call.status}>
        <p class="breadcrumbs"><a href={`${view.base}/calls`}>← All calls</a> <span class="live-indicator" data-live-state>Live updates connecting…</span></p>
        <Part name="summary" view={view} />
        <Part name="controls" view={view} />
        <div class="call-grid">
          <div class="card"><Part name="transcript" view={view} /></div>
          <div class="stack">
            <div class="card"><Part name="recording" view={view} /></div>
            <div class="card"><Part name="analysis" view={view} /></div>
          </div>
        </div>
        <div class="card"><Part name="deliveries" view={view} /></div>
      </div>
    </Layout>
  );
}
