import { ConversationAgent, type VoiceAgentOptions } from '../../src/agent/voice-agent.js';
import { AudioCache } from '../../src/agent/audio-cache.js';
import type { AssistantConfig } from '../../src/agent/assistant.js';
import { silentLogger, type Logger } from '../../src/ops/logger.js';
import type { LanguageModel, SpeechToText, TextToSpeech } from '../../src/providers/types.js';
import { assistant as makeAssistant, energyVad, LegDouble, LineDouble, ScriptedLlm, ScriptedStt, SinkRecorder, WordTts } from './harness.js';

export interface CallUnderTest {
  agent: ConversationAgent;
  line: LineDouble;
  leg: LegDouble;
  sink: SinkRecorder;
  tts: WordTts;
  fallbackTts: WordTts;
  end(): Promise<void>;
}

/** One call with doubles for what can't run here (models) and the real agent code in between. */
export async function startCall(opts: {
  assistant?: Partial<AssistantConfig>;
  stt?: SpeechToText;
  llm?: LanguageModel;
  tts?: WordTts;
  /** The voice for apologies (default: a quick one). */
  fallbackTts?: WordTts;
  options?: Partial<VoiceAgentOptions>;
  direction?: 'inbound' | 'outbound';
  log?: Logger;
} = {}): Promise<CallUnderTest> {
  const line = new LineDouble();
  const leg = new LegDouble(line);
  const sink = new SinkRecorder();
  const tts = opts.tts ?? new WordTts();
  const fallbackTts = opts.fallbackTts ?? new WordTts('fallback-tts', 50);
  const agent = new ConversationAgent(
    { callId: leg.callId, direction: opts.direction ?? 'inbound', phoneNumber: '+15550100', assistant: makeAssistant(opts.assistant), leg, metadata: { crm: 1 }, sink },
    { vad: energyVad, stt: opts.stt ?? new ScriptedStt([]), tts: tts as TextToSpeech, fallbackTts, llm: opts.llm ?? new ScriptedLlm([]) },
    opts.log ?? silentLogger,
    { audioCache: new AudioCache(), ...opts.options },
  );
  await agent.start();
  return { agent, line, leg, sink, tts, fallbackTts, async end() { await agent.stop(); line.close(); } };
}
