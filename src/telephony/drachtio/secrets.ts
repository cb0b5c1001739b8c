import type { Config } from '../../config/schema.js';

/** Secrets every drachtio/FreeSWITCH tutorial and image ships with: anyone can guess them. */
export const WELL_KNOWN_SECRETS: readonly string[] = ['cymru', 'JambonzR0ck$', 'ClueCon'];

/**
 * Refuse to run the production stack with a guessable drachtio or ESL secret (whoever reaches
 * those ports controls the calls), unless the operator said this is a development box.
 */
export function assertNoWellKnownSecrets(config: Config): void {
  if (config.telephony.dev_mode) return;
  const weak = [
    ['telephony.drachtio.secret (DRACHTIO_SECRET)', config.telephony.drachtio.secret],
    ['telephony.freeswitch.secret (FREESWITCH_SECRET)', config.telephony.freeswitch.secret],
  ].filter(([, v]) => WELL_KNOWN_SECRETS.includes(v!)).map(([name]) => name);
  if (weak.length > 0) {
    throw new Error(`${weak.join(' and ')} still has a well-known default value: set a random secret `
      + '(e.g. `openssl rand -hex 24`), or PHONEVOICE_DEV_MODE=1 on a development machine');
  }
}
