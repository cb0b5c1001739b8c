// The stack's start-up lives in scripts/daemons/stack.ts, shared with the benchmarks and the load test.
export * from '../../scripts/daemons/stack.js';
