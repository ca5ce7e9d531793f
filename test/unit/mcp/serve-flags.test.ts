import { describe, expect, it } from 'vitest';
import { parseRate, parseUpstream, splitCommandLine } from '../../../src/cli/serve.ts';

describe('warden serve quick-mode flags', () => {
  it('parses --rate-limit <n>/<duration>', () => {
    expect(parseRate('100/1s')).toEqual({ limit: 100, per: '1s' });
    expect(parseRate('5/500ms')).toEqual({ limit: 5, per: '500ms' });
    expect(() => parseRate('100 per second')).toThrow(/<n>\/<duration>/);
    expect(() => parseRate('0/1s')).toThrow();
  });

  it('parses --upstream URLs and stdio command lines', () => {
    expect(parseUpstream('http://127.0.0.1:3001/mcp', 'upstream')).toEqual({ name: 'upstream', url: 'http://127.0.0.1:3001/mcp' });
    expect(parseUpstream('files=https://files.example.com/mcp', 'upstream')).toEqual({ name: 'files', url: 'https://files.example.com/mcp' });
    expect(parseUpstream('stdio:npx -y @modelcontextprotocol/server-everything', 'upstream')).toEqual({
      name: 'upstream',
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-everything'],
    });
    expect(() => parseUpstream('ftp://x', 'upstream')).toThrow(/http\(s\) URL or stdio/);
    expect(() => parseUpstream('stdio:', 'upstream')).toThrow(/needs a command/);
  });

  it('splits command lines honouring quotes', () => {
    expect(splitCommandLine(`node "my server.js" --name 'a b' plain`)).toEqual(['node', 'my server.js', '--name', 'a b', 'plain']);
  });
});
