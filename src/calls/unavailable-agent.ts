import type { AgentContext, AgentFactory, VoiceAgent } from '../agent/types.js';
import type { ProviderStatus } from '../providers/types.js';

/**
 * Stands in when the voice agent cannot be built (models missing, module failing to load):
 * answered calls end at once with end_reason `error`, and /readyz says why.
 */
export class UnavailableAgentFactory implements AgentFactory {
  readonly #reason: string;

  constructor(reason: string) {
    this.#reason = reason;
  }

  create(_ctx: AgentContext): VoiceAgent {
    throw new Error(`voice agent unavailable: ${this.#reason}`);
  }

  async warmUp(): Promise<void> {}

  status(): ProviderStatus[] {
    return [{ name: 'agent', ready: false, detail: `voice agent unavailable: ${this.#reason}` }];
  }
}
