/**
 * The one URL convention of every HTTP provider (docs/providers.md): `url` is the base URL as an
 * OpenAI SDK takes it (`base_url`) and PhoneVoice appends the endpoint (`/chat/completions`,
 * `/audio/transcriptions`). A URL without a path (`http://10.0.0.7:8000`) means the server's
 * standard root, `/v1`, for servers that publish the OpenAI API there (`rootPath`); the customer's
 * own service (custom LLM) has no such root and gets the endpoint right after the host.
 */
export function endpointUrl(base: string, endpoint: string, rootPath = ''): string {
  const url = new URL(base);
  let path = url.pathname.replace(/\/+$/, '');
  if (path === '') path = rootPath;
  url.pathname = `${path}${endpoint}`;
  return url.toString();
}

/** URL schemes a custom LLM's `url` may use: HTTP for the OpenAI shape, WebSocket for the socket protocol. */
export function isWebSocketUrl(url: string): boolean {
  return /^wss?:/i.test(url);
}
