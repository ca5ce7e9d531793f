/**
 * warden with no security stages (transport, sessions and routing only), for
 * `npm run conformance:mcp -- --bare`. Usage: bare-gateway.ts <upstream-url> <port>
 */
import { parseConfig } from '../../src/config/load.ts';
import { createGateway } from '../../src/gateway/gateway.ts';
import { createLogger } from '../../src/observability/logger.ts';

const [upstream, port] = process.argv.slice(2);
const config = parseConfig({ server: { port: Number(port ?? 0) }, upstreams: [{ name: 'upstream', url: upstream }], identity: { allowAnonymous: true } });
const gateway = createGateway({ config, stages: [], logger: createLogger({ level: 'warn', pretty: false }) });
const { url } = await gateway.listen();
process.stdout.write(`warden is listening at ${url}\n`);
const stop = (): void => void gateway.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
