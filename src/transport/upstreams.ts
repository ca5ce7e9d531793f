/** Builds the upstream for each configured entry. */
import type { UpstreamConfig } from '../config/server.ts';
import { HttpUpstream } from './upstream-http.ts';
import { StdioUpstream } from './upstream-stdio.ts';
import { isHttpUpstream, type Upstream, type UpstreamAuth } from './upstream.ts';

export function createUpstream(config: UpstreamConfig, auth?: UpstreamAuth): Upstream {
  return isHttpUpstream(config) ? new HttpUpstream(config, auth) : new StdioUpstream(config);
}

/** Upstreams by name, in configuration order. */
export function createUpstreams(configs: readonly UpstreamConfig[], auth?: UpstreamAuth): Map<string, Upstream> {
  const map = new Map<string, Upstream>();
  for (const cfg of configs) {
    if (map.has(cfg.name)) throw new Error(`upstream name ${cfg.name} is used twice`);
    map.set(cfg.name, createUpstream(cfg, auth));
  }
  return map;
}
