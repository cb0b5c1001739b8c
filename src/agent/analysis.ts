import type { CallAnalysis, Utterance } from '../domain/call.js';
import { Deadline } from '../providers/llm/deadline.js';
import type { LanguageModel } from '../providers/types.js';
import type { AssistantConfig } from './assistant.js';
import { checkJsonSchema } from './json-schema-check.js';

export interface CallAnalyzerOptions {
  /** The whole analysis, model included, must finish within this. */
  timeoutMs: number;
}

export const defaultCallAnalyzerOptions: CallAnalyzerOptions = { timeoutMs: 10_000 };

const empty = (error: string): CallAnalysis => ({ sentiment: null, intent: null, summary: null, success: null, structured_data: null, error });

/** The schema the model must fill: fixed fields plus the assistant's own `analysis.schema`. */
export function analysisSchema(analysis: AssistantConfig['analysis']): Record<string, unknown> {
  const intents = analysis?.intents?.length ? analysis.intents : null;
  const properties: Record<string, unknown> = {
    sentiment: { type: 'string', enum: ['positive', 'neutral', 'negative'] },
    intent: intents ? { type: 'string', enum: [...intents, 'other'] } : { type: 'string' },
    summary: { type: 'string' },
    success: { type: 'boolean' },
  };
  if (analysis?.schema) properties.structured_data = analysis.schema;
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
}

/**
 * Post-call analysis by the model with schema-constrained output, validated before use.
 * Never throws: a failure yields null fields and the reason in `error`.
 */
export async function analyzeCall(
  llm: LanguageModel,
  assistant: AssistantConfig,
  transcript: Utterance[],
  options: Partial<CallAnalyzerOptions> = {},
): Promise<CallAnalysis> {
  const { timeoutMs } = { ...defaultCallAnalyzerOptions, ...options };
  const lines = transcript.filter((u) => u.text.trim()).map((u) => `${u.role === 'user' ? 'Caller' : 'Assistant'}: ${u.text}${u.interrupted ? ' [interrupted]' : ''}`);
  if (!lines.length) return empty('empty transcript');
  const schema = analysisSchema(assistant.analysis);
  const intents = assistant.analysis?.intents?.length ? ` Intent is one of: ${assistant.analysis.intents.join(', ')}, or "other".` : '';
  const messages = [
    {
      role: 'system' as const,
      content: `You analyse phone calls handled by an AI assistant. The assistant's instructions were:\n${assistant.system_prompt}\n\n`
        + `Answer with JSON only: the caller's overall sentiment, their intent, a one or two sentence summary, and whether the call achieved its goal (success).${intents}`
        + (assistant.analysis?.schema ? ' Also fill structured_data from what was said; use null where unknown.' : ''),
    },
    { role: 'user' as const, content: lines.join('\n') },
  ];
  const deadline = new Deadline(timeoutMs);
  try {
    // race(): a provider that ignores the signal must not hold the call record open either.
    const out = await deadline.race(llm.completeJson(messages, schema, deadline.signal));
    const problem = checkJsonSchema(out, schema);
    if (problem) return empty(`model output does not match the schema: ${problem}`);
    const o = out as Record<string, unknown>;
    return {
      sentiment: o.sentiment as CallAnalysis['sentiment'],
      intent: o.intent as string,
      summary: o.summary as string,
      success: o.success as boolean,
      structured_data: assistant.analysis?.schema ? (o.structured_data as Record<string, unknown>) ?? null : null,
      error: null,
    };
  } catch (err) {
    return empty(deadline.expired ? `analysis timed out after ${timeoutMs} ms` : (err as Error).message);
  } finally {
    deadline.dispose();
  }
}
