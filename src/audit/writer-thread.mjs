// Entry of the audit writer thread. warden runs its TypeScript through tsx, and
// a worker thread does not inherit the main thread's loader: register it here.
import { register } from 'tsx/esm/api';

register();
await import('./writer-thread.ts');
