import type { Config } from '../config/schema.js';
import type { Logger } from '../ops/logger.js';
import type { Providers } from '../providers/index.js';
import { AudioCache } from './audio-cache.js';
import type { AgentFactory } from './types.js';
import { ConversationAgent, type VoiceAgentOptions } from './voice-agent.js';

export { ConversationAgent, type VoiceAgentOptions, type VoiceAgentProviders } from './voice-agent.js';
export { analyzeCall, analysisSchema } from './analysis.js';

/**
 * What the call lifecycle uses to start a conversation on an answered leg. Providers are
 * created from the configuration unless given (tests, benchmarks). First messages are
 * rendered once per voice and text and shared by all calls.
 */
export async function createAgentFactory(config: Config, log: Logger, providers?: Providers, options: Partial<VoiceAgentOptions> = {}): Promise<AgentFactory> {
  const p = providers ?? (await (await import('../providers/index.js')).createProviders(config, log));
  const audioCache = options.audioCache ?? new AudioCache();
  return {
    create(ctx) {
      const a = ctx.assistant;
      return new ConversationAgent(ctx, {
        vad: p.vad,
        stt: p.stt(a.transcriber),
        tts: p.tts(a.voice),
        fallbackTts: p.fallbackTts,
        llm: p.llm(a.llm, { callId: ctx.callId, metadata: ctx.metadata }),
      }, log.child({ component: 'agent' }), { ...options, audioCache, voiceKey: `${a.voice.provider}:${a.voice.voice}` });
    },
    warmUp: () => p.warmUp(),
    status: () => p.status(),
  };
}
