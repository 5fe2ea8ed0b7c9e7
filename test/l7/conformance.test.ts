import { readFileSync } from 'node:fs';
import { describeWithSharedData, hasSharedData, sharedPath } from '../support/sharedData';
import { L7_DIFFERENCES } from './l7Differences';
import { ja4ReferenceFiles, ja4References, ourJa4 } from './support/ja4Reference';
import { analyzeCapture, compareWithOracle } from './support/l7Oracle';

function publicCaptures(): string[] {
  if (!hasSharedData('captures/MANIFEST.tsv')) return [];
  return readFileSync(sharedPath('captures', 'MANIFEST.tsv'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('public\t'))
    .map((line) => line.split('\t')[1]!);
}

function documented(file: string, disagreement: string): boolean {
  const frame = Number(/^frame (\d+):/.exec(disagreement)?.[1]);
  return L7_DIFFERENCES.some((d) => d.file === file && d.frame === frame);
}

describeWithSharedData('captures/oracle', 'layer 7 agrees with the tshark 4.0 oracle', () => {
  const files = publicCaptures();
  const totals = { oracle: 0, agreed: 0 };

  it.each(files)('%s: every disagreement is documented', (file) => {
    const result = compareWithOracle(file);
    totals.oracle += result.oracle;
    totals.agreed += result.agreed;
    expect(result.disagreements.filter((d) => !documented(file, d))).toEqual([]);
  });

  it('finds at least 99.5% of tshark messages with identical fields', () => {
    expect(totals.oracle).toBeGreaterThan(2500);
    expect(totals.agreed / totals.oracle).toBeGreaterThanOrEqual(0.995);
  });
});

describeWithSharedData('captures/expected/ja4', 'JA4 agrees with FoxIO reference outputs', () => {
  const files = hasSharedData('captures/expected/ja4/FILES.tsv') ? ja4ReferenceFiles() : [];

  it.each(files)('%s', (file) => {
    const references = ja4References(file);
    const ours = ourJa4(analyzeCapture(file));
    for (const reference of references) {
      const mine = ours.get(reference.connection) ?? [];
      // Python lists every ClientHello of a connection (two around a HelloRetryRequest), Rust only the first.
      const accepted = [reference.ja4, ...(reference.rust === undefined ? [] : [[reference.rust]])];
      expect({
        connection: reference.connection,
        ja4: accepted.some((a) => JSON.stringify(a) === JSON.stringify(mine)) ? 'agrees' : mine,
      }).toEqual({
        connection: reference.connection,
        ja4: 'agrees',
      });
    }
    const referenced = new Set(references.map((r) => r.connection));
    expect([...ours.keys()].filter((c) => !referenced.has(c))).toEqual([]);
  });
});
