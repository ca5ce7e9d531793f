/** The identity area's public surface: what the gateway and other stages import. */
export { loadAgents, createAgentRegistry, matchesAnyGlob, type AgentManifest, type AgentRegistry } from './agents.ts';
export { Authenticator, type Identity } from './authenticate.ts';
export { identityConfigSchema, type IdentityConfig, type IdentityConfigInput } from './config.ts';
export { DEV_ISSUER, mintDevToken } from './dev-issuer.ts';
export { identityRoutes, type IdentityRoute, type IdentityRoutesOptions } from './routes.ts';
export { TaskTokens, type VerifiedTask } from './task-token.ts';
export { upstreamAuthHeaders } from './upstream-auth.ts';
