import { BlockList, isIP } from 'node:net';
import { isLoopbackHost } from './endpoint';
import { configError } from './errors';

/** Where proxy settings come from; each field is optional. */
export interface ProxySettings {
  /** `genos.proxy`: a proxy for GenOS alone. Wins over everything else; `direct` forces no proxy. */
  genosProxy?: string;
  /** VS Code's `http.proxy`. */
  httpProxy?: string;
  /** VS Code's `http.noProxy`: hosts reached directly even when a proxy is set. */
  noProxy?: readonly string[];
  /** The process environment, for `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` (either case). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The setting a proxy came from, named as the user knows it. */
export type ProxySource = 'genos.proxy' | 'http.proxy' | 'HTTPS_PROXY' | 'HTTP_PROXY';

/** How a request reaches GenOS. */
export interface ProxyRoute {
  /** The proxy to go through; absent for a direct connection. */
  proxy?: URL;
  source?: ProxySource;
  /** Why a configured proxy is not used. */
  bypass?: 'loopback' | 'noProxy' | 'genos.proxy';
}

/** A URL's host name without the brackets of an IPv6 address (a URL has them at both ends or not at all). */
function unbracket(host: string): string {
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

/** Where a socket for `url` connects: the host without IPv6 brackets, the port defaulting by scheme. */
export function socketAddress(url: URL): { host: string; port: number } {
  return { host: unbracket(url.hostname), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) };
}

/** Parses a proxy setting; a bare `host:port` means an http:// proxy, as curl reads it. */
export function parseProxyUrl(value: string, setting: string): URL {
  const text = value.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    throw configError('invalidProxy', `${setting} is not a valid proxy URL.`);
  }
  // An http(s) URL always has a host: the URL parser refuses one without.
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw configError('invalidProxy', `${setting} must be an http:// or https:// proxy.`);
  }
  return url;
}

/** Splits `NO_PROXY`-style text (commas or spaces) into entries; empty ones are skipped where read. */
function splitNoProxy(value: string | undefined): string[] {
  return value ? value.split(/[\s,]+/) : [];
}

/**
 * True when `target` matches a no-proxy entry: `*`, a host name (which also covers its
 * subdomains), `.suffix` or `*.suffix`, an IP address, an IPv4 or IPv6 CIDR range, each with an
 * optional `:port`.
 */
export function matchesNoProxy(target: URL, entries: readonly string[]): boolean {
  const address = socketAddress(target);
  const host = address.host.toLowerCase();
  const port = String(address.port);
  const hostIp = isIP(host);
  for (const raw of entries) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    let entryPort: string | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1];
      entryPort = bracketed[2];
    } else if (/^[^:]+:\d+$/.test(entry)) {
      [entry, entryPort] = entry.split(':');
    }
    if (entryPort && entryPort !== port) continue;
    const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
    // A range of the other address family is refused by addSubnet, and skipped.
    if (cidr && hostIp) {
      const family = hostIp === 4 ? 'ipv4' : 'ipv6';
      const list = new BlockList();
      try {
        list.addSubnet(cidr[1], Number(cidr[2]), family);
      } catch {
        continue;
      }
      if (list.check(host, family)) return true;
      continue;
    }
    // An IP address matches only itself here too: no host name ends in a dot and an address (a
    // URL whose last label is a number is an IPv4 address or invalid).
    const suffix = entry.replace(/^\*?\./, '');
    if (host === suffix || host.endsWith(`.${suffix}`)) return true;
  }
  return false;
}

function envValue(env: ProxySettings['env'], name: string): string | undefined {
  return (env?.[name.toLowerCase()] ?? env?.[name])?.trim() || undefined;
}

/**
 * Decides how to reach `target`. Order: a loopback address is always reached directly; then
 * `genos.proxy`; then `http.proxy`, then `HTTPS_PROXY`/`HTTP_PROXY` from the environment (an https
 * address falls back to `HTTP_PROXY`, as VS Code does), both subject to `http.noProxy` and
 * `NO_PROXY`. Throws a `config` error for a proxy setting that is not a URL.
 */
export function resolveProxy(target: URL, settings: ProxySettings): ProxyRoute {
  if (isLoopbackHost(target.hostname)) return { bypass: 'loopback' };
  const own = settings.genosProxy?.trim();
  if (own) {
    if (own.toLowerCase() === 'direct') return { bypass: 'genos.proxy' };
    return { proxy: parseProxyUrl(own, 'genos.proxy'), source: 'genos.proxy' };
  }
  let value: string | undefined;
  let source: ProxySource | undefined;
  if (settings.httpProxy?.trim()) {
    value = settings.httpProxy;
    source = 'http.proxy';
  } else {
    const https = target.protocol === 'https:' ? envValue(settings.env, 'HTTPS_PROXY') : undefined;
    const http = envValue(settings.env, 'HTTP_PROXY');
    value = https ?? http;
    source = https ? 'HTTPS_PROXY' : 'HTTP_PROXY';
  }
  if (!value || !source) return {};
  const noProxy = [...(settings.noProxy ?? []), ...splitNoProxy(envValue(settings.env, 'NO_PROXY'))];
  if (matchesNoProxy(target, noProxy)) return { bypass: 'noProxy' };
  return { proxy: parseProxyUrl(value, source), source };
}

/** A proxy address fit for logs and messages: no user name or password. */
export function displayProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

/** The `Proxy-Authorization` header for a proxy URL that carries credentials. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}
