import { describe, expect, it } from 'vitest';
import { trunkSchema } from '../config/schema.js';
import { chooseBinding, readInvite, type InviteAddresses } from './inbound-routing.js';

const pbx = trunkSchema.parse({ name: 'pbx', host: 'pbx', numbering: { country_code: '1', national_prefix: '1' } });
const forwarding = trunkSchema.parse({ name: 'fwd', host: 'pbx', called_number_from: ['diversion', 'history_info', 'to'] });
const base: InviteAddresses = {
  requestUri: 'sip:2050@10.0.0.5:5070', to: '<sip:+15550001111@pbx.example>', from: '"Bob" <sip:2001@pbx.example>;tag=1',
  pCalledPartyId: undefined, diversion: [], historyInfo: [],
};

describe('inbound routing: which number was dialled', () => {
  it('reads the trunk’s sources in order, normalised, and shows the caller as a number or a SIP URI', () => {
    const read = readInvite({ ...base, pCalledPartyId: '<tel:15550003333>' }, pbx);
    expect(read).toEqual({ ok: true, caller: '2001', called: [
      { number: '2050', source: 'request_uri' }, { number: '+15550001111', source: 'to' }, { number: '+15550003333', source: 'p_called_party_id' },
    ] });
    expect(readInvite({ ...base, from: '<sip:alice@10.0.0.7:5062>;tag=2' }, pbx)).toMatchObject({ caller: 'sip:alice@10.0.0.7:5062' });
  });

  it('takes forwarded calls from Diversion (latest first) and History-Info (latest retarget first)', () => {
    const read = readInvite({
      ...base, requestUri: 'sip:pv@10.0.0.5',
      diversion: ['<sip:2002@pbx.example>;reason=no-answer, <sip:2001@pbx.example>;reason=user-busy'],
      historyInfo: ['<sip:3001@pbx.example>;index=1', '<sip:3002@pbx.example>;index=1.1', '<sip:pv@10.0.0.5>;index=1.1.1'],
    }, forwarding);
    expect(read.ok && read.called.map((c) => `${c.source}:${c.number}`)).toEqual([
      'diversion:2002', 'diversion:2001', 'history_info:3002', 'history_info:3001', 'to:+15550001111',
    ]);
  });

  it('refuses a To or From that is not a SIP address (→ 400), and skips values that are not numbers', () => {
    expect(readInvite({ ...base, to: 'garbage' }, pbx)).toEqual({ ok: false, problem: 'To is missing or not a SIP URI' });
    expect(readInvite({ ...base, from: undefined }, pbx)).toMatchObject({ ok: false });
    const read = readInvite({ ...base, requestUri: 'sip:%0d%0aX-Evil@10.0.0.5' }, pbx);
    expect(read.ok && read.called.map((c) => c.number)).toEqual(['+15550001111']);
  });
});

describe('inbound routing: the decision', () => {
  const bindings = [
    { number: '2050', trunk: 'pbx', id: 'ext' },
    { number: '2050', trunk: 'other', id: 'ext-other' },
    { number: '+15550001111', trunk: null, id: 'did' },
    { number: '*', trunk: 'carrier', id: 'catch-all' },
  ];
  const lookup = async (numbers: string[]) => bindings.filter((b) => numbers.includes(b.number));

  it('first called number bound on this trunk (or trunk-free E.164) wins, then the catch-all, else none', async () => {
    const called = [{ number: '2050', source: 'request_uri' as const }, { number: '+15550001111', source: 'to' as const }];
    expect((await chooseBinding(called, 'pbx', lookup))?.binding.id).toBe('ext');
    expect((await chooseBinding(called, 'other', lookup))?.binding.id).toBe('ext-other');
    expect(await chooseBinding(called, 'third', lookup)).toMatchObject({ binding: { id: 'did' }, dialled: '+15550001111', source: 'to' });
    expect(await chooseBinding([{ number: '0999', source: 'to' }], 'carrier', lookup)).toMatchObject({ binding: { id: 'catch-all' }, source: 'catch_all' });
    expect(await chooseBinding([{ number: '0999', source: 'to' }], 'pbx', lookup)).toBeNull();
  });
});

describe('refusals', () => {
  it('a reason phrase is one printable line, and a status that cannot refuse becomes 500', async () => {
    const { refusalStatus, sanitiseReason, reasonPhrase } = await import('./reject.js');
    expect(sanitiseReason('Busy\r\nX-Evil: 1', 'x')).toBe('Busy X-Evil: 1');
    expect(sanitiseReason('\r\n', 'Not Found')).toBe('Not Found');
    expect(refusalStatus(200)).toBe(500);
    expect(refusalStatus(486)).toBe(486);
    expect(reasonPhrase(404)).toBe('Not Found');
  });
});
