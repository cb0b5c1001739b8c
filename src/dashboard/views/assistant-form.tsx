import type { AssistantJson } from '../api-types.js';
import { Field, valueAt, type FieldSpec } from './fields.js';

/** The assistant fields people edit, grouped as they think of them; names are the API's field paths. */
const GROUPS: Array<[string, FieldSpec[]]> = [
  ['Conversation', [
    { name: 'name', label: 'Name', required: true },
    { name: 'first_message_mode', label: 'Who speaks first', kind: 'select', options: [['assistant_speaks_first', 'The assistant'], ['wait_for_user', 'The caller']] },
    { name: 'first_message', label: 'First message', kind: 'textarea', nullable: true, hint: '{{variables}} of the call are filled in.' },
    { name: 'system_prompt', label: 'Prompt', kind: 'textarea' },
    { name: 'language', label: 'Language', hint: 'e.g. en, fr, de' },
    { name: 'end_call_phrases', label: 'End-call phrases', kind: 'list', hint: 'Comma-separated; the assistant hangs up after saying one.' },
  ]],
  ['Voice and models', [
    { name: 'voice.provider', label: 'Voice provider', hint: 'piper, espeak, …' },
    { name: 'voice.voice', label: 'Voice' },
    { name: 'transcriber.provider', label: 'Transcriber provider' },
    { name: 'transcriber.model', label: 'Transcriber model' },
    { name: 'llm.provider', label: 'LLM provider', kind: 'select', options: [['ollama', 'Ollama'], ['openai_compatible', 'OpenAI-compatible'], ['custom', 'Custom (your own service)']] },
    { name: 'llm.model', label: 'LLM model' },
    { name: 'llm.url', label: 'LLM URL', kind: 'url', hint: 'Required for a custom LLM.' },
    { name: 'llm.temperature', label: 'Temperature', kind: 'number', min: 0, max: 2, step: 0.1, hint: '0 to 2' },
    { name: 'llm.max_tokens', label: 'Max tokens', kind: 'number', min: 1, max: 32768, step: 1 },
  ]],
  ['Turn taking', [
    { name: 'endpointing_ms', label: 'Endpointing (ms)', kind: 'number', min: 0, max: 10000, step: 1, hint: 'Silence that ends the caller\'s turn.' },
    { name: 'interruption.enabled', label: 'Caller can interrupt', kind: 'checkbox' },
    { name: 'interruption.min_speech_ms', label: 'Interrupt after (ms of speech)', kind: 'number', min: 0, max: 10000, step: 1 },
    { name: 'silence_timeout_seconds', label: 'Silence timeout (s)', kind: 'number', min: 1, max: 3600, step: 1 },
    { name: 'max_duration_seconds', label: 'Max call length (s)', kind: 'number', min: 1, max: 86400, step: 1 },
  ]],
  ['Tools, analysis and webhooks', [
    { name: 'tools', label: 'Tools (JSON)', kind: 'json', hint: 'e.g. [{"type":"end_call"},{"type":"transfer_call","destinations":[{"number":"+15550123"}]}]' },
    { name: 'analysis.intents', label: 'Intents', kind: 'list', hint: 'Comma-separated labels the analysis picks from.' },
    { name: 'analysis.schema', label: 'Structured data schema (JSON schema)', kind: 'json' },
    { name: 'webhook_url', label: 'Webhook URL', kind: 'url', nullable: true },
  ]],
];

export function AssistantForm({ assistant }: { assistant: AssistantJson | null }) {
  const isNew = assistant === null;
  return (
    <form class="assistant-form card" novalidate data-api={isNew ? 'POST' : 'PATCH'} data-path={isNew ? '/v1/assistants' : `/v1/assistants/${assistant.id}`}
      data-then={isNew ? 'goto:assistants/{id}' : 'message:Saved.'} aria-label={isNew ? 'New assistant' : `Edit ${assistant.name as string}`}>
      <p class="form-error notice error" role="alert" hidden></p>
      {GROUPS.map(([legend, fields]) => (
        <fieldset>
          <legend>{legend}</legend>
          <div class="field-grid">{fields.map((f) => <Field spec={f} value={valueAt(assistant, f.name) ?? (isNew && f.name === 'interruption.enabled' ? true : undefined)} />)}</div>
        </fieldset>
      ))}
      <div class="form-actions">
        <button type="submit" class="button primary">{isNew ? 'Create assistant' : 'Save changes'}</button>
        <span class="form-status" role="status"></span>
      </div>
    </form>
  );
}
