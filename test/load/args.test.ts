import { describe, expect, it } from 'vitest';
import { ArgError, parseLoadtestArgs } from '../../scripts/loadtest/args.js';
import { TargetRefusedError } from '../../scripts/loadtest/loopback.js';

const now = new Date('2026-01-02T03:04:05.678Z');
const parse = (...argv: string[]) => parseLoadtestArgs(argv, now);

describe('loadtest arguments', () => {
  it('fills defaults that a user can reason about', () => {
    const o = parse('--scenario', 'inbound', '--spawn', '--rate', '2', '--duration', '15');
    expect(o).toMatchObject({ scenario: 'inbound', spawn: true, calls: 20, rate: 2, durationS: 15, codec: 'PCMU', baseline: true, capture: true, webhooks: true, nodeArgs: [] });
    expect(o.concurrency).toBe(30); // rate × duration: what the offered load needs
    expect(o.maxWallMs).toBe((20 / 2 + 15 + 60) * 1000);
    expect(o.out).toBe('results/loadtest-2026-01-02T03-04-05-678Z');
  });

  it('passes node flags to a spawned server and can leave its webhooks off', () => {
    const o = parse('--scenario', 'inbound', '--spawn', '--no-webhooks', '--node-arg=--trace-gc', '--node-arg=--single-threaded-gc');
    expect(o.webhooks).toBe(false);
    expect(o.nodeArgs).toEqual(['--trace-gc', '--single-threaded-gc']);
  });

  it('parses a target, a ramp and fake latencies', () => {
    const o = parse('--scenario', 'inbound', '--target', '127.0.0.1:5080', '--ramp', '50,100,150', '--fake-llm-ms', '0', '--codec', 'pcma');
    expect(o.target).toEqual({ host: '127.0.0.1', port: 5080 });
    expect(o.ramp).toEqual([50, 100, 150]);
    expect(o.fake.llmFirstTokenMs).toBe(0);
    expect(o.codec).toBe('PCMA');
  });

  it.each([
    [['--spawn'], /--scenario must be "inbound" or "outbound", got nothing/],
    [['--scenario', 'sideways', '--spawn'], /--scenario must be .* got "sideways"/],
    [['--scenario', 'inbound'], /give --spawn .* or --target/],
    [['--scenario', 'inbound', '--spawn', '--target', '127.0.0.1:5060'], /either --spawn or --target/],
    [['--scenario', 'inbound', '--spawn', '--calls', '0'], /--calls must be a positive integer, got "0"/],
    [['--scenario', 'inbound', '--spawn', '--calls', '2.5'], /--calls must be a positive integer/],
    [['--scenario', 'inbound', '--spawn', '--rate', 'fast'], /--rate must be a positive number, got "fast"/],
    [['--scenario', 'inbound', '--spawn', '--rate', '9999'], /--rate must be at most 500/],
    [['--scenario', 'inbound', '--spawn', '--ramp', '100,50'], /--ramp steps must increase/],
    [['--scenario', 'inbound', '--spawn', '--codec', 'opus'], /--codec must be PCMU or PCMA/],
    [['--scenario', 'inbound', '--spawn', '--fake-stt-ms=-1'], /--fake-stt-ms must be an integer >= 0/],
    [['--scenario', 'inbound', '--spawn', '--bogus'], /Unknown option '--bogus'/],
    [['--scenario', 'inbound', '--target', '127.0.0.1:5060', '--node-arg=--trace-gc'], /--node-arg applies to a spawned server/],
    [['--scenario', 'inbound', '--spawn', '--node-arg=trace-gc'], /--node-arg takes one node flag/],
    [['--scenario', 'inbound', '--target', '127.0.0.1:5060', '--no-webhooks'], /--no-webhooks applies to a spawned server/],
    [['--scenario', 'inbound', '--target', '127.0.0.1:5060', '--profile'], /--profile applies to a spawned server/],
    [['--scenario', 'inbound', '--spawn', '--node-arg', '--trace-gc'], /use '--node-arg=-XYZ'/],
    [['--scenario', 'outbound', '--target', '127.0.0.1:5060'], /outbound places calls through the API/],
    [['--scenario', 'inbound', '--spawn', '--api-url', 'not a url'], /--api-url must be a URL/],
  ])('rejects %j with a clear message', (argv, message) => {
    expect(() => parse(...argv)).toThrow(ArgError);
    expect(() => parse(...argv)).toThrow(message);
  });

  it('refuses a non-loopback target unless --allow-remote', () => {
    expect(() => parse('--scenario', 'inbound', '--target', '192.0.2.10:5060')).toThrow(TargetRefusedError);
    expect(() => parse('--scenario', 'outbound', '--spawn', '--api-url', 'http://pbx.example.com:8080')).toThrow(/not a loopback address/);
    const o = parse('--scenario', 'inbound', '--target', '192.0.2.10:5060', '--allow-remote');
    expect(o.target).toEqual({ host: '192.0.2.10', port: 5060 });
  });

  it('demands a port in the target', () => {
    expect(() => parse('--scenario', 'inbound', '--target', '127.0.0.1')).toThrow(/host:port/);
  });

  it('chooses the spawned server\'s engine: embedded unless --engine drachtio', () => {
    expect(parse('--scenario', 'inbound', '--spawn').engine).toBe('embedded');
    expect(parse('--scenario', 'inbound', '--spawn', '--engine', 'drachtio').engine).toBe('drachtio');
    expect(() => parse('--scenario', 'inbound', '--spawn', '--engine', 'asterisk')).toThrow('--engine must be embedded, drachtio or both, got "asterisk"');
    expect(parse('--scenario', 'inbound', '--spawn', '--engine', 'both', '--ramp', '10,25').engine).toBe('both');
    expect(() => parse('--scenario', 'inbound', '--spawn', '--engine', 'both')).toThrow(/give --ramp too/);
    expect(parse('--scenario', 'inbound', '--spawn', '--engine', 'drachtio').fsRealtime).toBe(false);
    expect(parse('--scenario', 'inbound', '--spawn', '--engine', 'drachtio', '--fs-realtime').fsRealtime).toBe(true);
    expect(() => parse('--scenario', 'inbound', '--target', '127.0.0.1:5060', '--engine', 'drachtio')).toThrow(/give --spawn too/);
  });
});
