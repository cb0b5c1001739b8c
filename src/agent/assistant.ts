/** The assistant type lives on the ground floor (src/domain) so every layer may name it. */
export type { AssistantConfig, HttpToolSpec, ToolSpec } from '../domain/assistant.js';
