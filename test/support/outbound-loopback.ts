/**
 * Test setup (vitest setupFiles): our fakes and receivers listen on loopback, which the
 * outbound URL policy refuses by default. Allowed here explicitly, as an on-prem operator
 * allows their LAN; servers built by createServer get it from their config instead
 * (test/support/harness.ts), and policy tests set their own.
 */
import { setOutboundPolicy } from '../../src/net/outbound-fetch.js';
import { OutboundPolicy } from '../../src/net/outbound-policy.js';

setOutboundPolicy(new OutboundPolicy({ allow: ['127.0.0.0/8', '::1'] }));
