import type { Config } from '../config/schema.js';
import { OutboundPolicy } from './outbound-policy.js';

/**
 * The policy of a configuration. URLs the operator wrote in the config file itself (the
 * default webhook, the Ollama server) are trusted: their origins (scheme, host, port) may be
 * called even on a private or loopback address; nothing else on that host is.
 */
export type OutboundSettings = Pick<Config, 'outbound_urls' | 'default_webhook_url'> & { providers: { ollama: { url: string } } };

export function outboundPolicyFor(config: OutboundSettings): OutboundPolicy {
  const trusted = [config.default_webhook_url, config.providers.ollama.url].filter((u): u is string => !!u);
  return new OutboundPolicy({ ...config.outbound_urls, trusted_origins: trusted });
}
