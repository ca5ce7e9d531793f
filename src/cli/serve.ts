/**
 * `warden serve`: run the gateway.
 *   warden serve --config warden.yaml
 *   warden serve --upstream <url | stdio:<command line>> [--port 8080] [--host 127.0.0.1] [--allow-anonymous] [--rate-limit 100/1s]
 *   warden serve --demo            (npm start: the built-in demo server behind warden)
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadConfigFile, parseConfig } from '../config/load.ts';
import type { WardenConfig, WardenConfigInput } from '../config/schema.ts';
import type { UpstreamConfig } from '../config/server.ts';
import { startDemoServer, type RunningDemo } from '../demo/server.ts';
import { WardenError } from '../errors.ts';
import { startWarden, type RunningWarden } from '../gateway/start.ts';
import { createLogger } from '../observability/logger.ts';
import { STAGE_ORDER } from '../pipeline/pipeline.ts';

interface ServeOptions {
  config?: string;
  upstream?: string[];
  port?: string;
  host?: string;
  allowAnonymous?: boolean;
  rateLimit?: string;
  demo?: boolean;
}

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function register(program: Command): void {
  program
    .command('serve')
    .description('Run the gateway in front of MCP upstreams')
    .option('-c, --config <file>', 'YAML configuration file')
    .option('--upstream <url>', 'upstream MCP server: an http(s) URL or stdio:<command line>; repeat to aggregate (name=<url> names it)', collect, [])
    .option('--port <port>', 'port to listen on (default 8080)')
    .option('--host <host>', 'address to bind (default 127.0.0.1)')
    .option('--allow-anonymous', 'accept unauthenticated callers as the agent "anonymous"')
    .option('--rate-limit <rate>', 'per-agent rate limit, <n>/<duration>, e.g. 100/1s')
    .option('--demo', 'serve the built-in demo MCP server behind warden')
    .action(serve);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function serve(o: ServeOptions): Promise<void> {
  let demo: RunningDemo | undefined;
  let config: Readonly<WardenConfig>;
  const port = o.port === undefined ? undefined : parsePort(o.port);
  if (o.config) {
    if (o.upstream?.length || o.demo) throw new WardenError('WARDEN_CONFIG_INVALID', '--config cannot be combined with --upstream or --demo');
    const fromFile = await loadConfigFile(o.config);
    config =
      port === undefined && o.host === undefined
        ? fromFile
        : parseConfig({ ...fromFile, server: { ...fromFile.server, ...(port === undefined ? {} : { port }), ...(o.host ? { host: o.host } : {}) } }, o.config);
  } else if (o.demo || o.upstream?.length) {
    let upstreams: UpstreamConfig[] | WardenConfigInput['upstreams'];
    if (o.demo) {
      demo = await startDemoServer('127.0.0.1', 0);
      upstreams = [{ name: 'demo', url: demo.url }];
    } else upstreams = o.upstream!.map((spec, i, all) => parseUpstream(spec, all.length === 1 ? 'upstream' : `upstream${i + 1}`));
    const raw: WardenConfigInput = {
      server: { host: o.host ?? '127.0.0.1', port: port ?? 8080 },
      upstreams,
      agentsDir: fallbackToPackage('agents'),
      policy: { dir: fallbackToPackage('rego') },
      identity: o.demo ? { loopbackAgent: 'demo', devIssuer: true, allowAnonymous: Boolean(o.allowAnonymous) } : { allowAnonymous: Boolean(o.allowAnonymous) },
      ...(o.rateLimit ? { limits: { perAgent: parseRate(o.rateLimit) } } : {}),
    };
    config = parseConfig(raw, o.demo ? '--demo' : '--upstream flags');
  } else {
    throw new WardenError('WARDEN_CONFIG_INVALID', 'nothing to serve: give --config <file>, --upstream <url>, or --demo');
  }

  const logger = createLogger({ level: config.log.level, ...(config.log.pretty === undefined ? {} : { pretty: config.log.pretty }) });
  // Every stage is built or start-up fails (non-zero exit): never a silently weaker pipeline.
  let running: RunningWarden;
  try {
    running = await startWarden(config, { logger });
  } catch (err) {
    await demo?.close();
    throw err;
  }
  const { url, standard } = running;

  // The warning goes out before the banner, so whoever waits for the banner has seen it.
  if (config.identity.allowAnonymous) {
    process.stderr.write(`WARNING: anonymous access is on: callers without a token are accepted as the agent "${config.identity.anonymousAgent}".\n`);
  }
  process.stdout.write(banner(url, config, Boolean(o.demo), standard.stages.map((s) => s.name).sort((a, b) => STAGE_ORDER.indexOf(a) - STAGE_ORDER.indexOf(b))));

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight calls');
    try {
      await running.close();
      await demo?.close();
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'shutdown was not clean');
    }
    logger.flush?.();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

function banner(url: string, config: Readonly<WardenConfig>, demo: boolean, stages: string[]): string {
  const lines = [
    '',
    `warden is listening`,
    `  MCP endpoint   ${url}`,
    ...config.upstreams.map((u) => `  upstream       ${u.name} → ${'url' in u ? u.url : [u.command, ...u.args].join(' ')}${demo ? ' (built-in demo server)' : ''}  (alone at ${url}/${u.name})`),
    `  stages         ${[...stages, 'forward'].join(' → ')}`,
    '',
    `  List the tools:`,
    `    npx @modelcontextprotocol/inspector --cli ${url} --transport http --method tools/list`,
  ];
  if (demo || config.identity.devIssuer) {
    lines.push(`  Get a dev token for a named agent (send it as "Authorization: Bearer <token>"):`, `    npx warden token --agent <name>`);
  }
  if (demo && config.identity.loopbackAgent) lines.push(`  Demo mode: loopback callers without a token are accepted as the agent "${config.identity.loopbackAgent}".`);
  lines.push('', '  Ctrl-C stops warden after in-flight calls finish.', '');
  return lines.join('\n');
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new WardenError('WARDEN_CONFIG_INVALID', `--port: expected a port number 0-65535, got ${JSON.stringify(text)}`);
  return port;
}

/** `100/1s` → {limit: 100, per: '1s'}. */
export function parseRate(text: string): { limit: number; per: string } {
  const m = /^(\d+(?:\.\d+)?)\/(\d+(?:ms|s|m|h|d))$/.exec(text.trim());
  if (!m || Number(m[1]) <= 0) throw new WardenError('WARDEN_CONFIG_INVALID', `--rate-limit: expected <n>/<duration> like 100/1s or 1000/1m, got ${JSON.stringify(text)}`);
  return { limit: Number(m[1]), per: m[2]! };
}

/** `[name=]https://…` or `[name=]stdio:<command line>` → an upstream config entry. */
export function parseUpstream(spec: string, defaultName: string): WardenConfigInput['upstreams'][number] {
  let name = defaultName;
  let target = spec.trim();
  const named = /^([a-zA-Z0-9_-]+)=(.+)$/.exec(target);
  if (named) {
    name = named[1]!;
    target = named[2]!;
  }
  if (target.startsWith('stdio:')) {
    const words = splitCommandLine(target.slice(6));
    if (words.length === 0) throw new WardenError('WARDEN_CONFIG_INVALID', '--upstream stdio: needs a command, e.g. stdio:npx -y @modelcontextprotocol/server-everything');
    return { name, command: words[0]!, args: words.slice(1) };
  }
  if (!/^https?:\/\//.test(target)) throw new WardenError('WARDEN_CONFIG_INVALID', `--upstream: expected an http(s) URL or stdio:<command>, got ${JSON.stringify(spec)}`);
  return { name, url: target };
}

/** Splits a command line on spaces, honouring single and double quotes. */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]!));
  return words;
}

/** `dir` in the working directory if it exists there, else the one shipped with warden. */
function fallbackToPackage(dir: string): string {
  return existsSync(dir) ? dir : resolve(PACKAGE_ROOT, dir);
}
