import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { planDial } from './dial-plan.js';

const config = configSchema.parse({
  trunks: [
    { name: 'fr', host: 'fr.pbx', prefixes: ['+33'], numbering: { country_code: '33', national_prefix: '0', outbound_format: 'national' }, caller_id: '+33123456789' },
    { name: 'fr-mobile', host: 'mobile.pbx', port: 5070, transport: 'tcp', prefixes: ['+336'], outbound_proxy: 'sip:proxy.lan:5080' },
    { name: 'any', host: 'any.pbx', username: '2050', realm: 'pbx.example' },
  ],
  default_trunk: 'any',
});

describe('dial plan (both engines)', () => {
  it('picks the trunk with the longest matching prefix, else the default trunk, and writes the number its way', () => {
    expect(planDial('+33612345678', null, config)).toMatchObject({ trunk: { name: 'fr-mobile' }, uri: 'sip:+33612345678@mobile.pbx:5070;transport=tcp', hop: { host: 'proxy.lan', port: 5080, transport: 'tcp' } });
    expect(planDial('+33123456780', null, config)).toMatchObject({ trunk: { name: 'fr' }, uri: 'sip:0123456780@fr.pbx', hop: { host: 'fr.pbx', port: 5060 }, from: 'sip:0123456789@fr.pbx' });
    expect(planDial('+14155550100', null, config)).toMatchObject({ trunk: { name: 'any' }, from: 'sip:2050@pbx.example' });
  });

  it('sends SIP URIs straight to their host, with the credentials of the trunk they name', () => {
    expect(planDial('sip:alice@10.0.0.9:5062;transport=tcp', null, config)).toMatchObject({ trunk: null, hop: { host: '10.0.0.9', port: 5062, transport: 'tcp' } });
    expect(planDial('sip:2001@any.pbx', null, config)).toMatchObject({ trunk: { name: 'any' }, hop: { host: 'any.pbx', port: 5060 } });
  });

  it('refuses targets that could inject headers, sips: (no TLS), and things that are not numbers', () => {
    expect(planDial('sip:a@b\r\nX-Evil: 1', null, config)).toBeNull();
    expect(planDial('sip:a@b>;x', null, config)).toBeNull();
    expect(planDial('sips:a@b', null, config)).toBeNull();
    expect(planDial('hello', null, config)).toBeNull();
    expect(planDial('+4930123', null, config)).toBeNull();
    expect(planDial('+33612345678', null, { trunks: [], default_trunk: null })).toBeNull();
  });

  it('never lets a caller id break out of From', () => {
    expect(planDial('+14155550100', '+1415"<x>\r\n', config)!.from).toBe('sip:anonymous@pbx.example');
  });
});
