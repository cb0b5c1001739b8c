/** The few PhoneVoice API calls the load test needs, with errors that say which call failed. */
export class ApiClient {
  #base: string;
  #key: string | null;

  constructor(baseUrl: string, apiKey: string | null) {
    this.#base = baseUrl.replace(/\/$/, '');
    this.#key = apiKey;
  }

  get baseUrl(): string {
    return this.#base;
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#key) headers.authorization = `Bearer ${this.#key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.#base}${path}`, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: signal ?? AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new Error(`PhoneVoice API not reachable at ${this.#base} (${method} ${path}): ${(err as Error).message}`);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // /metrics and error pages are not JSON; keep the text
    }
    return { status: res.status, body: parsed as T };
  }

  /** Like request, but a non-2xx answer is an error naming the route and the server's message. */
  async ok<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.request<T>(method, path, body);
    if (r.status < 200 || r.status > 299) {
      const msg = (r.body as { error?: { message?: string } } | null)?.error?.message ?? JSON.stringify(r.body).slice(0, 200);
      throw new Error(`${method} ${path} answered ${r.status}: ${msg}`);
    }
    return r.body;
  }

  /** Every call created at or after `since`, following the list cursor. */
  async callsSince(since: Date): Promise<ApiCall[]> {
    const out: ApiCall[] = [];
    let after = '';
    for (let page = 0; page < 1000; page++) {
      const q = `limit=100&created_after=${encodeURIComponent(since.toISOString())}${after ? `&starting_after=${after}` : ''}`;
      const list = await this.ok<{ data: ApiCall[]; has_more: boolean }>('GET', `/v1/calls?${q}`);
      out.push(...list.data);
      if (!list.has_more || list.data.length === 0) break;
      after = list.data.at(-1)!.id;
    }
    return out;
  }
}

type Pct = { p50: number; p90: number; p95: number; p99: number } | null;

/** The fields of the public call object the report reads. */
export interface ApiCall {
  id: string;
  direction: 'inbound' | 'outbound';
  status: string;
  end_reason: string | null;
  sip_status?: number | null;
  answered_at: string | null;
  ended_at: string | null;
  latency?: { turns: number; voice_to_voice: Pct; [stage: string]: Pct | number } | null;
  [key: string]: unknown;
}
