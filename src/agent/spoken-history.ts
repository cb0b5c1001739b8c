import type { ChatMessage } from '../providers/types.js';

/**
 * Make the model's history of one response say exactly what the caller heard. Text spoken
 * before a tool call is already in the history, inside the tool-call message the reply stream
 * pushed (`from` is where the response's messages start); when the caller cut the reply inside
 * that text, the message keeps only the played part. What was played after the last tool call
 * becomes one assistant message. The same `played` string is the transcript line.
 */
export function recordSpoken(history: ChatMessage[], from: number, played: string, interrupted: boolean): void {
  let rest = played.trim();
  for (let i = from; i < history.length; i++) {
    const m = history[i]!;
    if (m.role !== 'assistant' || !m.tool_calls?.length) continue;
    const said = m.content.trim();
    if (!said) continue;
    if (rest.startsWith(said)) {
      rest = rest.slice(said.length).trim();
    } else {
      m.content = rest; // cut inside the text before this tool call
      if (interrupted) m.interrupted = true;
      rest = '';
    }
  }
  if (rest) history.push({ role: 'assistant', content: rest, ...(interrupted ? { interrupted: true } : {}) });
}
