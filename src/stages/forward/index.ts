/**
 * The last request stage: sends the call upstream through the protocol layer's
 * `ctx.forward` and stores the result for the response stages (pii, audit).
 */
import { WardenError } from '../../errors.ts';
import type { CallContext, Stage } from '../../pipeline/types.ts';

/** The forward stage; the gateway adds it when the stage list lacks one. */
export function forwardStage(): Stage {
  return {
    name: 'forward',
    async onRequest(ctx: CallContext): Promise<void> {
      if (!ctx.forward) throw new WardenError('WARDEN_INTERNAL', 'no forward function for this call');
      const result = await ctx.forward(ctx);
      if (ctx.upstreamError === undefined) ctx.result = result;
    },
  };
}
