// DNS rebinding guard for the MCP endpoint (the Streamable HTTP transport's security warning): a web page
// served from a foreign origin must not reach /mcp through a browser that happens to sit next to a gateway
// or a `kubently mcp` bridge. Browsers always send `Origin` on a cross-origin POST; MCP hosts that are not
// browsers send none, and pass.

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether a request with this `Origin` header may use /mcp: none (a non-browser client), a loopback origin
 * (http or https, any port), or one of `allowed` (normalized origins from MCP_ALLOWED_ORIGINS). `null`, an
 * opaque origin, and anything that does not parse are refused.
 */
export function originAllowed(origin: string | string[] | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  if (Array.isArray(origin)) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  // An Origin header is scheme://host[:port] and nothing else; anything more is not one a browser sends.
  if (url.origin !== origin) return false;
  return LOOPBACK_HOSTS.has(url.hostname) || allowed.has(url.origin);
}
