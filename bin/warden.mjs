#!/usr/bin/env node
// Entry point for `npx warden`: runs the TypeScript sources through tsx so that
// `npm install` is the only set-up step (no separate build).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
