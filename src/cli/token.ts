/** `warden token --agent <name> [--user <sub>] [--ttl 15m]`: print a dev token signed by the dev issuer. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadConfigFile } from '../config/load.ts';
import { WardenError } from '../errors.ts';
import { mintDevToken, parseDurationS } from '../identity/dev-issuer.ts';
import { loadAgents } from '../identity/agents.ts';

export function register(program: Command): void {
  program
    .command('token')
    .description('Print a development token for an agent, signed by the dev issuer key (.warden/dev-issuer.jwk)')
    .requiredOption('--agent <name>', 'agent dev name (agents/<name>.yaml)')
    .option('--user <sub>', 'the user the agent acts for')
    .option('--ttl <duration>', 'lifetime, e.g. 900, 90s, 15m, 2h', '15m')
    .option('--scope <scopes>', 'space-separated scopes')
    .option('--audience <url>', "the gateway's resource URL (default: server.publicUrl or http://host:port from --config)")
    .option('-c, --config <file>', 'configuration file to take the audience, key file and agents directory from')
    .action(async (o: { agent: string; user?: string; ttl: string; scope?: string; audience?: string; config?: string }) => {
      const cfg = o.config ? await loadConfigFile(o.config) : undefined;
      let ttlS: number;
      try {
        ttlS = parseDurationS(o.ttl);
      } catch (err) {
        throw new WardenError('WARDEN_BAD_REQUEST', (err as Error).message);
      }
      // Like `warden serve`: ./agents when present, else the manifests shipped with warden.
      const agentsDir = cfg?.agentsDir ?? (existsSync('agents') ? 'agents' : fileURLToPath(new URL('../../agents', import.meta.url)));
      const registry = loadAgents(agentsDir);
      if (!registry.match({ devName: o.agent })) {
        throw new WardenError('WARDEN_UNKNOWN_AGENT', `no agent manifest in ${agentsDir}/ has dev name ${o.agent} (known: ${registry.agents.map((a) => a.identity.devName ?? a.name).join(', ')})`);
      }
      const server = cfg?.server;
      const audience = o.audience ?? server?.publicUrl ?? `http://${server?.host ?? '127.0.0.1'}:${server?.port ?? 8080}`;
      const token = await mintDevToken({
        keyFile: cfg?.identity.devIssuerKeyFile ?? '.warden/dev-issuer.jwk',
        agent: o.agent,
        user: o.user,
        ttlS,
        audience,
        scopes: o.scope?.split(' ').filter(Boolean) ?? [],
      });
      process.stdout.write(token + '\n');
    });
}
