import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Loopback fakes and receivers: allowed explicitly through the outbound URL policy.
    setupFiles: ['test/support/outbound-loopback.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // SIP/RTP tests bind real sockets and spawn SIPp; two workers match the 2-core machines.
    maxWorkers: 2,
  },
});
