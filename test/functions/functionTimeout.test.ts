import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FUNCTION_TIMEOUT_SETTING, functionTimeoutMs } from '../../functions/functionTimeout';

describe('functionTimeoutMs', () => {
  const app = mkdtempSync(path.join(tmpdir(), 'host-json-'));
  const functionsDir = path.join(app, 'dist', 'functions');
  mkdirSync(functionsDir, { recursive: true });
  writeFileSync(path.join(app, 'host.json'), JSON.stringify({ version: '2.0', functionTimeout: '00:02:00' }));

  it('reads the project host.json (10 minutes)', () => {
    expect(functionTimeoutMs({})).toBe(600_000);
  });

  it('finds host.json two folders up, as from dist/functions', () => {
    expect(functionTimeoutMs({}, functionsDir)).toBe(120_000);
  });

  it('lets the app setting override host.json, as the host does', () => {
    expect(functionTimeoutMs({ [FUNCTION_TIMEOUT_SETTING]: '00:00:20' }, functionsDir)).toBe(20_000);
  });

  it.each([['not a timespan'], ['']])('ignores an invalid setting %j', (value) => {
    expect(functionTimeoutMs({ [FUNCTION_TIMEOUT_SETTING]: value }, functionsDir)).toBe(120_000);
  });

  it('falls back to 30 minutes without host.json', () => {
    expect(functionTimeoutMs({}, path.join(tmpdir(), 'nowhere', 'a', 'b'))).toBe(30 * 60_000);
  });
});
