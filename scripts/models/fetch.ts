import { EnvHttpProxyAgent, fetch as undiciFetch } from 'undici';

/**
 * fetch() that honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY (upper or lower case), as company
 * networks need: Node's built-in fetch ignores them. The agent reads the variables when created,
 * so one is made per call (a handful of files per run).
 */
export async function proxiedFetch(url: string, init: { headers?: Record<string, string>; signal?: AbortSignal; redirect?: 'follow' } = {}): Promise<Response> {
  const dispatcher = new EnvHttpProxyAgent();
  return (await undiciFetch(url, { ...init, dispatcher })) as unknown as Response;
}
