import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.js';
import { assertNoWellKnownSecrets } from './secrets.js';

const config = (drachtio: string, freeswitch: string, dev_mode = false) => configSchema.parse({
  telephony: { engine: 'drachtio', dev_mode, drachtio: { secret: drachtio }, freeswitch: { secret: freeswitch } },
});

describe('well-known drachtio/FreeSWITCH secrets', () => {
  it('are refused, naming the setting and the variable', () => {
    expect(() => assertNoWellKnownSecrets(config('cymru', 'a1b2c3d4e5f6'))).toThrow(/telephony\.drachtio\.secret \(DRACHTIO_SECRET\)/);
    expect(() => assertNoWellKnownSecrets(config('a1b2c3d4e5f6', 'JambonzR0ck$'))).toThrow(/FREESWITCH_SECRET/);
    expect(() => assertNoWellKnownSecrets(config('a1b2c3d4e5f6', 'ClueCon'))).toThrow(/well-known/);
    // The defaults themselves are the well-known ones: an untouched config does not start.
    expect(() => assertNoWellKnownSecrets(configSchema.parse({ telephony: { engine: 'drachtio' } }))).toThrow(/DRACHTIO_SECRET\) and telephony.freeswitch/);
  });

  it('are accepted in dev mode, and random secrets always', () => {
    expect(() => assertNoWellKnownSecrets(config('cymru', 'JambonzR0ck$', true))).not.toThrow();
    expect(() => assertNoWellKnownSecrets(config('9f8e7d6c5b4a', 'a1b2c3d4e5f6'))).not.toThrow();
  });
});
