/** Display helpers shared by the views: one way to show a time, a duration, a status. */

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace('Z', ' UTC');
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** mm:ss.s from milliseconds since the answer. */
export function offset(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${(s % 60).toFixed(1).padStart(4, '0')}`;
}

export function ms(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : `${Math.round(v)} ms`;
}

export const humanize = (s: string | null | undefined) => (s ? s.replaceAll('_', ' ') : '—');

export const ACTIVE_STATUSES = ['queued', 'ringing', 'in_progress'] as const;
export const isActive = (status: string) => (ACTIVE_STATUSES as readonly string[]).includes(status);
