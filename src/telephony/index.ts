import type { Config } from '../config/schema.js';
import type { Logger } from '../ops/logger.js';
import type { Telephony } from './types.js';

/** The one place that chooses the telephony engine (PHONEVOICE_TELEPHONY / telephony.engine). */
export async function createTelephony(config: Config, log: Logger): Promise<Telephony> {
  if (config.telephony.engine === 'drachtio') {
    const { DrachtioTelephony } = await import('./drachtio/index.js');
    return new DrachtioTelephony(config, log.child({ engine: 'drachtio' }));
  }
  const { EmbeddedTelephony } = await import('./embedded/index.js');
  return new EmbeddedTelephony(config, log.child({ engine: 'embedded' }));
}
