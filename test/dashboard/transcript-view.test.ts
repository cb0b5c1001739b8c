import { describe, expect, it } from 'vitest';
import type { ToolCallJson, UtteranceJson } from '../../src/dashboard/api-types.js';
import { placeToolCalls, Transcript, turnOfLine } from '../../src/dashboard/views/transcript.js';

const line = (role: 'user' | 'assistant', text: string, extra: Partial<UtteranceJson> = {}): UtteranceJson =>
  ({ role, kind: 'speech', text, start_ms: 0, end_ms: 100, interrupted: false, ...extra });
const turn = (v2v: number) => ({ endpointing_ms: 500, stt_ms: 80, llm_first_token_ms: 200, tts_first_audio_ms: 60, voice_to_voice_ms: v2v });

describe('transcript timeline', () => {
  it('gives each measured turn to the first assistant answer after a caller line, not to the greeting or keypresses', () => {
    const lines = [
      line('assistant', 'Hello'), line('user', 'Opening hours?'), line('assistant', 'Nine to', { interrupted: true }),
      line('user', 'And Sundays?'), line('assistant', 'Closed.'), line('user', '12#', { kind: 'dtmf' }), line('assistant', 'Thanks'),
    ];
    expect(turnOfLine(lines)).toEqual([null, null, 0, null, 1, null, null]);
  });

  it('shows who spoke, the cut-off answer, the keys pressed and the latency of each turn', () => {
    const html = String(Transcript({
      lines: [line('user', 'Opening hours?'), line('assistant', 'Nine to', { interrupted: true }), line('user', '4#', { kind: 'dtmf' })],
      latency: [turn(912)], live: false,
    }));
    expect(html).toContain('Caller');
    expect(html).toContain('Interrupted by the caller');
    expect(html).toContain('Keys pressed (DTMF)');
    expect(html).toContain('<code class="digits">4#</code>');
    expect(html).toContain('912 ms voice-to-voice');
    expect(html).not.toContain('<script');
  });

  it('places each tool call before the first line that started after it, and shows a failure with its reason', () => {
    const tool = (name: string, start_ms: number, error: string | null = null): ToolCallJson => ({ name, arguments: { q: '<b>' }, result: '{}', error, start_ms, duration_ms: 42 });
    const lines = [line('user', 'Hours?', { start_ms: 1000, end_ms: 2000 }), line('assistant', 'Nine to five.', { start_ms: 3000, end_ms: 4000 })];
    const early = tool('early', 500), between = tool('lookup', 2500, 'HTTP 503'), late = tool('late', 9000);
    expect(placeToolCalls(lines, [early, between, late])).toEqual([[early], [between], [late]]);
    const html = String(Transcript({ lines, toolCalls: [between], latency: [], live: false }));
    expect(html.indexOf('lookup')).toBeGreaterThan(html.indexOf('Hours?'));
    expect(html.indexOf('lookup')).toBeLessThan(html.indexOf('Nine to five.'));
    expect(html).toContain('Failed: HTTP 503');
    expect(html).toContain('{&quot;q&quot;:&quot;&lt;b&gt;&quot;}');
  });

  it('escapes what callers say', () => {
    expect(String(Transcript({ lines: [line('user', '<img src=x onerror=alert(1)>')], latency: [], live: true }))).toContain('&lt;img');
  });
});
