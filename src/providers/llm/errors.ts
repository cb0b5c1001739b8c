/**
 * Every failure of a language model surfaces as one typed error, so the agent can end the
 * call with `llm_error` without knowing which provider or transport failed.
 */
export type LlmErrorKind = 'unreachable' | 'timeout' | 'http' | 'protocol' | 'invalid_output';

export class LlmError extends Error {
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR');
}

/**
 * Map whatever fetch/ws/the ollama client threw to an LlmError. An abort requested by the
 * caller is re-thrown unchanged: that is a cancelled turn, not a failure.
 */
export function toLlmError(err: unknown, provider: string, callerSignal?: AbortSignal): unknown {
  if (err instanceof LlmError) return err;
  if (callerSignal?.aborted && isAbortError(err)) return err;
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string }; status_code?: number };
  if (e?.name === 'TimeoutError' || (isAbortError(err) && !callerSignal?.aborted)) {
    return new LlmError('timeout', `${provider}: request timed out`);
  }
  const code = e?.cause?.code ?? (err as { code?: string })?.code;
  if (code && /ECONNREFUSED|ENOTFOUND|ECONNRESET|EHOSTUNREACH|UND_ERR_SOCKET|EPIPE|ECONNECTION_FAILED|EOUTBOUND_DENIED/.test(code)) {
    return new LlmError('unreachable', `${provider}: ${code}`);
  }
  if (typeof e?.status_code === 'number') return new LlmError('http', `${provider}: HTTP ${e.status_code} ${e.message ?? ''}`.trim(), e.status_code);
  if (e?.message === 'fetch failed') return new LlmError('unreachable', `${provider}: ${e.cause?.message ?? 'fetch failed'}`);
  return new LlmError('protocol', `${provider}: ${e?.message ?? String(err)}`);
}
