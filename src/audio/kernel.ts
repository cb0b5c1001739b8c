/**
 * Filter design for the resampler: the windowed-sinc kernel table (Blackman window, unity DC
 * gain per phase), shared between resamplers of the same shape, and the folded forms its fast
 * paths use (sparse taps, the half-band odd phase, a one-phase decimator's symmetric pairs).
 */

const kernels = new Map<string, Float64Array>();

/** Kernels are immutable: every resampler with the same shape shares one table. */
export function cachedKernel(half: number, phases: number, fc: number): Float64Array {
  const key = `${half}/${phases}/${fc}`;
  let k = kernels.get(key);
  if (!k) {
    k = buildKernel(half, phases, fc);
    kernels.set(key, k);
  }
  return k;
}

/**
 * The nonzero taps of each phase, when zeros make up at least a quarter of the table (a
 * half-band kernel); null when the kernel is dense and the plain loop is faster.
 */
export function sparseTaps(kernel: Float64Array, phases: number, taps: number): { offsets: Int32Array; coefs: Float64Array; counts: Int32Array } | null {
  const offsets = new Int32Array(phases * taps);
  const coefs = new Float64Array(phases * taps);
  const counts = new Int32Array(phases);
  let nonzero = 0;
  for (let p = 0; p < phases; p++) {
    for (let k = 0; k < taps; k++) {
      const h = kernel[p * taps + k]!;
      // A sinc's zero crossings come out as ~1e-17, not 0: anything this small contributes nothing to 16-bit output.
      if (Math.abs(h) < 1e-12) continue;
      offsets[p * taps + counts[p]!] = k;
      coefs[p * taps + counts[p]!] = h;
      counts[p]!++;
      nonzero++;
    }
  }
  return nonzero <= 0.75 * phases * taps ? { offsets, coefs, counts } : null;
}

/**
 * The half-point phase of a 2× kernel, folded: tap k and tap taps−1−k are equal (the
 * window and sinc are even around the half point), so one coefficient serves both. Null
 * when the even phase is not a plain copy (then the general loop must run).
 */
export function halfBandPairs(kernel: Float64Array, taps: number): Float64Array | null {
  const half = taps / 2;
  for (let k = 0; k < taps; k++) {
    const want = k === half - 1 ? 1 : 0;
    if (Math.abs(kernel[k]! - want) > 1e-12) return null;
  }
  const pairs = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    const a = kernel[taps + k]!;
    const b = kernel[taps + taps - 1 - k]!;
    if (Math.abs(a - b) > 1e-12) return null;
    pairs[k] = (a + b) / 2;
  }
  return pairs;
}

/**
 * Phase 0 of a one-phase kernel folded around its centre tap (half − 1, where the distance
 * is 0): tap half−1−1−j equals tap half−1+1+j. The last tap sits at the window's edge (0).
 * Null when the table is not symmetric that way.
 */
export function foldedPhase(kernel: Float64Array, taps: number): { pairs: Float64Array; centre: number } | null {
  const c = taps / 2 - 1;
  if (Math.abs(kernel[taps - 1]!) > 1e-12) return null;
  const pairs = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const a = kernel[c - 1 - j]!;
    const b = kernel[c + 1 + j]!;
    if (Math.abs(a - b) > 1e-12) return null;
    pairs[j] = (a + b) / 2;
  }
  return { pairs, centre: kernel[c]! };
}

/** Kernel table: for each phase p (fraction p/phases), the taps for input offsets -half+1 … half. */
function buildKernel(half: number, phases: number, fc: number): Float64Array {
  const taps = 2 * half;
  const table = new Float64Array((phases + 1) * taps);
  for (let p = 0; p <= phases; p++) {
    const frac = p / phases;
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const x = frac + half - 1 - k; // distance from the output position to input tap k
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * fc * x) / (Math.PI * fc * x);
      const w = x / half; // -1 … 1 across the window
      const window = Math.abs(w) >= 1 ? 0 : 0.42 + 0.5 * Math.cos(Math.PI * w) + 0.08 * Math.cos(2 * Math.PI * w);
      const h = fc * sinc * window;
      table[p * taps + k] = h;
      sum += h;
    }
    // Unity gain at DC for every phase, so a constant input never ripples.
    for (let k = 0; k < taps; k++) table[p * taps + k]! /= sum;
  }
  return table;
}
