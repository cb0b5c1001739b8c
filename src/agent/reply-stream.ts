import { AsyncQueue } from '../providers/llm/async-queue.js';
import type { ChatMessage, LanguageModel } from '../providers/types.js';
import { SentenceSplitter } from './sentence-splitter.js';
import type { ToolEffect, ToolResult, ToolRunner } from './tools.js';

export interface ReplyStreamOptions {
  llm: LanguageModel;
  tools: ToolRunner;
  /** The conversation so far; tool calls and their results are appended as they happen. */
  history: ChatMessage[];
  responseId: number;
  callId: string;
  metadata: Record<string, unknown>;
  temperature?: number;
  maxTokens?: number;
  signal: AbortSignal;
  /** Model → tool → model rounds allowed in one turn (a confused model must not loop forever). */
  maxToolRounds: number;
  now: () => number;
  onFirstToken?: (at: number) => void;
  /** Effects that must happen now (DTMF into an IVR), not after the reply played. */
  onImmediateEffect?: (effect: ToolEffect) => void;
  /** Each tool call once it ran, with `now()` before and after. */
  onToolCall?: (call: { name: string; arguments: Record<string, unknown> }, result: ToolResult, startedAt: number, endedAt: number) => void;
}

export interface ReplyOutcome {
  /** end_call / transfer requested during the turn: performed once the reply has played. */
  finalEffect: ToolEffect | null;
  text: string;
}

/**
 * Runs the model for one turn, pushing complete sentences into `sentences` as tokens stream
 * in, executing tool calls between rounds. Ends `sentences` in every case; rejects with the
 * model's error (the caller maps it to `llm_error`).
 */
export async function streamReply(opts: ReplyStreamOptions, sentences: AsyncQueue<string>): Promise<ReplyOutcome> {
  const splitter = new SentenceSplitter();
  let finalEffect: ToolEffect | null = null;
  let allText = '';
  let firstToken = true;
  try {
    for (let round = 0; round <= opts.maxToolRounds && !finalEffect; round++) {
      const calls: Array<{ id: string; name: string; arguments: Record<string, unknown> }> = [];
      let roundText = '';
      const tools = round < opts.maxToolRounds ? opts.tools.definitions() : [];
      const request = { messages: opts.history, tools, callId: opts.callId, metadata: opts.metadata, responseId: opts.responseId, temperature: opts.temperature, maxTokens: opts.maxTokens };
      for await (const chunk of opts.llm.chat(request, opts.signal)) {
        if (firstToken) { firstToken = false; opts.onFirstToken?.(opts.now()); }
        if (chunk.type === 'text') {
          roundText += chunk.text;
          for (const s of splitter.push(chunk.text)) sentences.push(s);
        } else if (chunk.type === 'tool_call') calls.push(chunk);
        else if (chunk.type === 'end_call') finalEffect = { type: 'end_call' };
        else if (chunk.type === 'transfer') finalEffect = { type: 'transfer', to: chunk.to };
        else opts.onImmediateEffect?.({ type: 'dtmf', digits: chunk.digits });
      }
      allText += roundText;
      if (!calls.length) break;
      const rest = splitter.flush();
      if (rest) sentences.push(rest);
      opts.history.push({ role: 'assistant', content: roundText, tool_calls: calls });
      for (const call of calls) {
        const startedAt = opts.now();
        const result = await opts.tools.run(call.name, call.arguments, opts.signal);
        opts.onToolCall?.(call, result, startedAt, opts.now());
        opts.history.push({ role: 'tool', content: result.content, tool_call_id: call.id, name: call.name });
        if (result.effect.type === 'dtmf') opts.onImmediateEffect?.(result.effect);
        else if (result.effect.type !== 'none') finalEffect ??= result.effect;
      }
    }
    const rest = splitter.flush();
    if (rest && !opts.signal.aborted) sentences.push(rest);
    return { finalEffect, text: allText };
  } finally {
    sentences.end();
  }
}
