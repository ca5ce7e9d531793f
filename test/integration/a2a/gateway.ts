/** warden with the A2A mount in front of given stages, for the A2A tests (the MCP side is unused). */
import type { WardenConfig } from '../../../src/config/schema.ts';
import { createGateway } from '../../../src/gateway/gateway.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { createPipeline } from '../../../src/pipeline/pipeline.ts';
import type { Stage } from '../../../src/pipeline/types.ts';
import { mountA2a } from '../../../src/protocol/a2a/index.ts';
import { forwardStage } from '../../../src/stages/forward/index.ts';

export interface A2aGateway {
  /** The gateway's base URL (no path). */
  base: string;
  /** Closes the A2A mount, then the gateway (its stages flush, e.g. the audit log). */
  close(): Promise<void>;
}

export async function startA2aGateway(config: Readonly<WardenConfig>, stages: Stage[]): Promise<A2aGateway> {
  const mount = mountA2a({ config, pipeline: createPipeline([...stages, forwardStage()]), logger: silentLogger });
  const gateway = createGateway({ config, stages, routes: mount.routes, logger: silentLogger });
  const base = (await gateway.listen()).url.replace(/\/mcp$/, '');
  let closing: Promise<void> | undefined;
  return {
    base,
    close: () =>
      (closing ??= (async () => {
        await mount.close();
        await gateway.close();
      })()),
  };
}
