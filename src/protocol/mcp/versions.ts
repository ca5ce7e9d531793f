/** MCP protocol versions warden speaks and how they differ on the wire. */

/** Newest first. */
export const SUPPORTED_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26'] as const;
export type McpVersion = (typeof SUPPORTED_VERSIONS)[number];
export const LATEST_VERSION: McpVersion = SUPPORTED_VERSIONS[0];

export function isSupportedVersion(version: unknown): version is McpVersion {
  return typeof version === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(version);
}

/** The version to answer `initialize` with: the client's if warden speaks it, else the latest. */
export function negotiateVersion(requested: unknown): McpVersion {
  return isSupportedVersion(requested) ? requested : LATEST_VERSION;
}

/** JSON-RPC batches were removed from MCP in 2025-06-18. */
export function batchesAllowed(version: string): boolean {
  return version === '2025-03-26';
}
