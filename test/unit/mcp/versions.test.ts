import { describe, expect, it } from 'vitest';
import { batchesAllowed, isSupportedVersion, LATEST_VERSION, negotiateVersion } from '../../../src/protocol/mcp/versions.ts';

describe('MCP version negotiation', () => {
  it('answers with the version the client asked for when warden speaks it', () => {
    expect(negotiateVersion('2025-03-26')).toBe('2025-03-26');
    expect(negotiateVersion('2025-06-18')).toBe('2025-06-18');
    expect(negotiateVersion('2025-11-25')).toBe('2025-11-25');
  });

  it('falls back to the latest version for unknown or missing versions', () => {
    expect(LATEST_VERSION).toBe('2025-11-25');
    expect(negotiateVersion('2024-11-05')).toBe(LATEST_VERSION);
    expect(negotiateVersion(undefined)).toBe(LATEST_VERSION);
    expect(negotiateVersion(42)).toBe(LATEST_VERSION);
    expect(isSupportedVersion('2099-01-01')).toBe(false);
  });

  it('allows JSON-RPC batches only before 2025-06-18', () => {
    expect(batchesAllowed('2025-03-26')).toBe(true);
    expect(batchesAllowed('2025-06-18')).toBe(false);
    expect(batchesAllowed('2025-11-25')).toBe(false);
  });
});
