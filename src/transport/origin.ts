/** DNS-rebinding protection: Host and Origin checks for a server bound to loopback. */
import type { IncomingMessage } from 'node:http';
import { WardenError } from '../errors.ts';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export interface OriginPolicy {
  bindHost: string;
  allowedOrigins: readonly string[];
  allowedHosts: readonly string[];
}

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || host.startsWith('127.');
}

/** Host name of a Host header value, without the port. */
function hostName(value: string): string {
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1);
  const colon = value.lastIndexOf(':');
  return (colon < 0 ? value : value.slice(0, colon)).toLowerCase();
}

/** Builds the check; throws WARDEN_ORIGIN_REJECTED for a request that must not be served. */
export function createOriginCheck(policy: OriginPolicy): (req: IncomingMessage) => void {
  const loopbackBound = isLoopbackHost(policy.bindHost);
  const hosts = new Set(policy.allowedHosts.map((h) => h.toLowerCase()));
  const origins = new Set(policy.allowedOrigins);
  // Bound to all interfaces with no list: the public names are unknown, so Host cannot be checked.
  const checkHost = hosts.size > 0 || loopbackBound;
  if (hosts.size === 0 && loopbackBound) for (const name of LOOPBACK_NAMES) hosts.add(name);
  if (hosts.size > 0) hosts.add(policy.bindHost.toLowerCase());

  return (req) => {
    if (checkHost) {
      const host = req.headers.host;
      if (!host || !(hosts.has(host.toLowerCase()) || hosts.has(hostName(host)))) {
        throw new WardenError('WARDEN_ORIGIN_REJECTED', `Host ${JSON.stringify(host ?? '')} is not allowed; add it to server.allowedHosts`, { host });
      }
    }
    const origin = req.headers.origin;
    if (origin === undefined || origins.has(origin)) return;
    let originHost: string;
    try {
      originHost = new URL(origin).hostname;
    } catch {
      throw new WardenError('WARDEN_ORIGIN_REJECTED', `Origin ${JSON.stringify(origin)} is not a URL`, { origin });
    }
    if (loopbackBound && isLoopbackHost(originHost)) return;
    throw new WardenError('WARDEN_ORIGIN_REJECTED', `Origin ${origin} is not allowed; add it to server.allowedOrigins`, { origin });
  };
}
