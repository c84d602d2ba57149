/** What one POST came to: the status when the publisher answered, the error otherwise (and for non-2xx). */
export interface PostOutcome {
  httpStatus: number | null;
  error: string | null;
}

const BODY_EXCERPT_CHARS = 200;

/**
 * POSTs a JSON body and reports how it went; never throws. Redirects are not followed (a bearer
 * token must not travel to another host) and count as failures, like any status outside 2xx.
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostOutcome> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return { httpStatus: response.status, error: null };
    }
    const excerpt = await bodyExcerpt(response);
    return { httpStatus: response.status, error: `HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}` };
  } catch (error) {
    return { httpStatus: null, error: describe(error, timeoutMs) };
  }
}

async function bodyExcerpt(response: Response): Promise<string> {
  try {
    const text = await response.text();
    return text.slice(0, BODY_EXCERPT_CHARS).replace(/\s+/g, ' ').trim();
  } catch {
    return '';
  }
}

/** By name, not `instanceof`: fetch's DOMExceptions may come from another realm (as under Jest). */
function describe(error: unknown, timeoutMs: number): string {
  const failure = (error ?? {}) as { name?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') return `no response within ${timeoutMs} ms`;
  if (typeof failure.cause?.code === 'string') return `${failure.cause.code}: ${String(failure.cause.message ?? 'connection failed')}`;
  return typeof failure.message === 'string' ? failure.message : String(error);
}
