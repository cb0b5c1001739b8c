import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.js';
import { routeFor } from './routing.js';

const config = configSchema.parse({
  trunks: [
    { name: 'fr', host: 'fr.pbx', prefixes: ['+33'] },
    { name: 'fr-mobile', host: 'mobile.pbx', port: 5070, transport: 'tcp', prefixes: ['+336'], outbound_proxy: 'sip:proxy.lan:5080' },
    { name: 'any', host: 'any.pbx' },
  ],
  default_trunk: 'any',
});

describe('outbound routing', () => {
  it('picks the trunk with the longest matching prefix, else the default trunk', () => {
    expect(routeFor('+33612345678', config)).toMatchObject({ trunk: { name: 'fr-mobile' }, uri: 'sip:+33612345678@mobile.pbx:5070;transport=tcp', host: 'proxy.lan', port: 5080, transport: 'tcp' });
    expect(routeFor('+33123456789', config)).toMatchObject({ trunk: { name: 'fr' }, uri: 'sip:+33123456789@fr.pbx', host: 'fr.pbx', port: 5060 });
    expect(routeFor('+14155550100', config)).toMatchObject({ trunk: { name: 'any' } });
  });

  it('sends SIP URIs straight to their host', () => {
    expect(routeFor('sip:alice@10.0.0.9:5062;transport=tcp', config)).toMatchObject({ trunk: null, host: '10.0.0.9', port: 5062, transport: 'tcp' });
  });

  it('refuses targets that could inject headers or are not numbers', () => {
    expect(routeFor('sip:a@b\r\nX-Evil: 1', config)).toBeNull();
    expect(routeFor('sip:a@b>;x', config)).toBeNull();
    expect(routeFor('hello', config)).toBeNull();
    expect(routeFor('+33612345678', { trunks: [], default_trunk: null })).toBeNull();
  });
});
