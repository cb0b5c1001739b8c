import { describe, expect, it } from 'vitest';
import { histogramEdges } from '../../scripts/loadtest/server-figures.js';

const metrics = (counts: number[]) => [
  '# HELP phonevoice_vad_lag_seconds From a window of caller audio arriving to its VAD answer',
  '# TYPE phonevoice_vad_lag_seconds histogram',
  ...['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2', '+Inf'].map((le, i) => `phonevoice_vad_lag_seconds_bucket{le="${le}"} ${counts[i]}`),
  `phonevoice_vad_lag_seconds_sum 12.5`,
  `phonevoice_vad_lag_seconds_count ${counts.at(-1)}`,
  'phonevoice_turn_latency_seconds_bucket{le="0.01",stage="stt"} 3',
].join('\n');

describe('histogramEdges (VAD lag from /metrics)', () => {
  it('gives the upper edges of the buckets holding p50 and p95, in ms, and the count', () => {
    // 1000 windows: 600 within 10 ms, 940 within 100 ms, 990 within 250 ms.
    expect(histogramEdges(metrics([100, 600, 800, 900, 940, 990, 1000, 1000, 1000, 1000]), 'phonevoice_vad_lag_seconds'))
      .toEqual({ p50: 10, p95: 250, windows: 1000 });
  });

  it('says Infinity past the last finite bucket, and null when the histogram is absent or empty', () => {
    expect(histogramEdges(metrics([0, 0, 0, 0, 0, 0, 0, 0, 10, 100]), 'phonevoice_vad_lag_seconds')).toEqual({ p50: Infinity, p95: Infinity, windows: 100 });
    expect(histogramEdges(metrics([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'phonevoice_vad_lag_seconds')).toBeNull();
    expect(histogramEdges('phonevoice_active_calls 3', 'phonevoice_vad_lag_seconds')).toBeNull();
  });
});
