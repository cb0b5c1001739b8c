import type { Session } from './session.js';

/** The HTTP API's own fetch: the console reads and acts through the same routes, validation and errors as curl. */
export type ApiFetch = (req: Request) => Response | Promise<Response>;

export class ApiRequestError extends Error {
  constructor(readonly status: number, readonly body: unknown) {
    super(`API answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
    this.name = 'ApiRequestError';
  }
}

export interface ApiClient {
  /** Forward as is (the console's JSON proxy): status, headers and body of the API's answer. */
  raw(method: string, path: string, body?: string | null, contentType?: string): Promise<Response>;
  /** GET a JSON resource, or throw ApiRequestError. */
  get<T>(path: string): Promise<T>;
}

export function apiClient(fetch: ApiFetch, session: Session): ApiClient {
  const raw = async (method: string, path: string, body?: string | null, contentType?: string) => {
    const headers: Record<string, string> = { authorization: `Bearer ${session.apiKey}` };
    if (contentType) headers['content-type'] = contentType;
    return fetch(new Request(`http://dashboard.internal${path}`, { method, headers, body: body ?? null }));
  };
  return {
    raw,
    async get<T>(path: string) {
      const res = await raw('GET', path);
      const body = (await res.json().catch(() => null)) as unknown;
      if (!res.ok) throw new ApiRequestError(res.status, body);
      return body as T;
    },
  };
}

/** Query string of the defined, non-empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
