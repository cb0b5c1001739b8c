import type { LatencyRow } from '../../calls/percentiles.js';
import type { ToolCallJson, UtteranceJson } from '../api-types.js';
import { ms, offset } from './format.js';

const STAGES: Array<[keyof LatencyRow, string]> = [
  ['endpointing_ms', 'endpointing'], ['stt_ms', 'STT'], ['llm_first_token_ms', 'LLM first token'], ['tts_first_audio_ms', 'TTS first audio'],
];

const isSpeech = (l: UtteranceJson) => (l.kind ?? 'speech') === 'speech';

/** Which transcript line answers which measured turn: the first assistant line after each caller line. */
export function turnOfLine(lines: UtteranceJson[]): Array<number | null> {
  let turn = 0;
  let awaiting = false;
  return lines.map((l) => {
    if (l.role === 'user' && isSpeech(l)) {
      awaiting = true;
      return null;
    }
    if (l.role === 'assistant' && awaiting && isSpeech(l)) {
      awaiting = false;
      return turn++;
    }
    return null;
  });
}

function Latency({ t }: { t: LatencyRow }) {
  return (
    <p class="turn-latency">
      <span class="v2v" title="Voice to voice: caller's last sound to the first reply audio on the line">{ms(t.voice_to_voice_ms)} voice-to-voice</span>
      {STAGES.map(([k, label]) => <span class="stage">{label} {ms(t[k])}</span>)}
    </p>
  );
}

function Kind({ u }: { u: UtteranceJson }) {
  if (u.kind === 'dtmf') return <span class="badge kind-dtmf">Keys pressed (DTMF)</span>;
  return null;
}

/** Arguments as one short line: the console shows the call, the API has the whole of it. */
const argsLine = (args: Record<string, unknown>) => {
  const text = JSON.stringify(args);
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
};

function ToolCall({ t }: { t: ToolCallJson }) {
  return (
    <li class={`tool-call${t.error ? ' tool-failed' : ''}`} data-role="tool">
      <div class="who">
        <span class="speaker">Tool</span>
        <time class="at" title={`${t.start_ms} ms after the answer, ran ${t.duration_ms} ms`}>{offset(t.start_ms)}</time>
      </div>
      <div class="said">
        <p class="text"><code class="tool-name">{t.name}</code> <code class="tool-args">{argsLine(t.arguments)}</code></p>
        <p class="tool-outcome">{t.error ? <span class="badge tool-error">Failed: {t.error}</span> : <span class="badge">Ran</span>} {ms(t.duration_ms)}</p>
      </div>
    </li>
  );
}

/** Each tool call goes before the first transcript line that started after it. */
export function placeToolCalls(lines: UtteranceJson[], toolCalls: ToolCallJson[]): Array<ToolCallJson[]> {
  const before: ToolCallJson[][] = Array.from({ length: lines.length + 1 }, () => []);
  for (const t of toolCalls) {
    const at = lines.findIndex((l) => l.start_ms > t.start_ms);
    before[at === -1 ? lines.length : at]!.push(t);
  }
  return before;
}

/** The conversation as a timeline: who spoke when, what was cut off, which tools ran, and how long each answer took. */
export function Transcript({ lines, toolCalls = [], latency, live }: { lines: UtteranceJson[]; toolCalls?: ToolCallJson[]; latency: LatencyRow[]; live: boolean }) {
  const turns = turnOfLine(lines);
  const tools = placeToolCalls(lines, toolCalls);
  return (
    <>
      <h2 id="transcript-title">Transcript {live ? <span class="badge live">live</span> : null}</h2>
      {lines.length === 0 ? <p class="muted empty">{live ? 'Waiting for the first words…' : 'Nothing was said.'}</p> : null}
      <ol class="timeline" aria-labelledby="transcript-title">
        {lines.map((u, i) => {
          const t = turns[i] !== null ? latency[turns[i]!] : undefined;
          return (<>
            {tools[i]!.map((tc) => <ToolCall t={tc} />)}
            <li class={`utterance role-${u.role}${u.interrupted ? ' interrupted' : ''}`} data-role={u.role}>
              <div class="who">
                <span class="speaker">{u.role === 'user' ? 'Caller' : 'Assistant'}</span>
                <time class="at" title={`${u.start_ms}–${u.end_ms} ms after the answer`}>{offset(u.start_ms)}</time>
              </div>
              <div class="said">
                <p class="text"><Kind u={u} />{u.kind === 'dtmf' ? <code class="digits">{u.text}</code> : u.text}</p>
                {u.interrupted ? <p class="badge interrupted-badge">Interrupted by the caller — only the part played is shown</p> : null}
                {t ? <Latency t={t} /> : null}
              </div>
            </li>
          </>);
        })}
        {tools[lines.length]!.map((tc) => <ToolCall t={tc} />)}
      </ol>
    </>
  );
}
