import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { QUERY_VIEWS, findQueryView } from '../../shared/cli/queryViews';
import { parseQueryHeader } from '../../tools/workbook';
import { ROOT } from './repoFiles';

/** KQL text without comments and string literals, so a name must appear as code. */
function kqlCode(text: string): string {
  return text.replace(/\/\/.*$/gm, '').replace(/"(?:[^"\\]|\\.)*"/g, '""');
}

describe('tracectl query --view and the query pack', () => {
  it('has distinct view names', () => {
    expect(new Set(QUERY_VIEWS.map((view) => view.name)).size).toBe(QUERY_VIEWS.length);
  });

  it.each(QUERY_VIEWS.map((view) => [view.name, view]))(
    '%s has a matching .kql in queries/ with a header',
    (_name, view) => {
      const file = path.join(ROOT, 'queries', view.kqlFile);
      expect(existsSync(file)).toBe(true);
      expect(parseQueryHeader({ fileName: view.kqlFile, text: readFileSync(file, 'utf8') }).question).toMatch(
        /\?$/,
      );
    },
  );

  it.each(QUERY_VIEWS.map((view) => [view.name, view]))(
    '%s shows only columns its .kql projects',
    (_name, view) => {
      const code = kqlCode(readFileSync(path.join(ROOT, 'queries', view.kqlFile), 'utf8'));
      const missing = view.columns.filter((column) => !new RegExp(`\\b${column}\\b`).test(code));
      expect(missing).toEqual([]);
      for (const local of view.localColumns ?? []) expect(code).not.toMatch(new RegExp(`\\b${local}\\b`));
    },
  );

  it.each([
    'top-talkers',
    'rejected-flows',
    'long-flows',
    'grpc-errors',
    'http-latency',
    'dns-latency',
    'dns-names',
    'tcp-health',
    'handshake-latency',
    'cost-by-configuration',
    'tcp-retransmissions',
    'handshake-rtt-by-node',
    'egress-fqdn',
  ])('names the view %s that docs/cli.md documents', (name) => {
    expect(findQueryView(name)).toBeDefined();
    expect(readFileSync(path.join(ROOT, 'docs', 'cli.md'), 'utf8')).toContain(`--view ${name}`);
  });

  it('finds no view for an unknown or empty name', () => {
    expect(findQueryView('')).toBeUndefined();
    expect(findQueryView('top_talkers')).toBeUndefined();
  });
});
