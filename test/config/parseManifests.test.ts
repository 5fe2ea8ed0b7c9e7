import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseTraceConfigurations } from '../../shared/config/parseManifests';

const ROOT = join(__dirname, '..', '..');

const GOOD = `apiVersion: retina.sh/v1alpha1
kind: TraceConfiguration
metadata:
  name: good
spec:
  traceConfigurations:
    - ports:
        - port: 443
  outputConfiguration:
    destination: stdout
`;

describe('parseTraceConfigurations', () => {
  it.each([
    ['empty text', ''],
    ['only comments', '# nothing here\n'],
    ['only separators', '---\n---\n'],
  ])('returns no results for %s', (_name, text) => {
    expect(parseTraceConfigurations(text)).toEqual([]);
  });

  it('validates each document on its own, counting documents from 1', () => {
    const bad = GOOD.replace('name: good', 'name: Bad');
    const results = parseTraceConfigurations(`${GOOD}---\n${bad}---\n`, { fileName: 'two.yaml' });
    expect(results.map((r) => [r.document, r.line, r.name, r.state, r.file])).toEqual([
      [1, 1, 'good', 'Accepted', 'two.yaml'],
      [2, 12, 'Bad', 'Errored', 'two.yaml'],
    ]);
    expect(results[1]?.errors).toEqual([
      {
        path: 'metadata.name',
        message:
          '"Bad" must consist of lower case letters, digits, "-" and ".", and start and end with a letter or digit (e.g. "http-to-storage")',
        line: 15,
        column: 9,
      },
    ]);
  });

  it.each<[string, string, number, number, string]>([
    [
      'unclosed flow sequence',
      GOOD.replace('- port: 443', '- port: [443'),
      9,
      3,
      'YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
    [
      'duplicate key',
      GOOD.replace('  name: good\n', '  name: good\n  name: again\n'),
      5,
      3,
      'YAML syntax error: Map keys must be unique',
    ],
    [
      'tab indentation',
      GOOD.replace('    destination: stdout', '\tdestination: stdout'),
      10,
      1,
      'YAML syntax error: Tabs are not allowed as indentation',
    ],
  ])(
    'a YAML syntax error (%s) is an Errored result with line and column',
    (_name, text, line, column, message) => {
      const [result] = parseTraceConfigurations(text, { fileName: 'bad.yaml' });
      expect(result?.state).toBe('Errored');
      expect(result?.errors[0]).toEqual({ path: '', message, line, column });
    },
  );

  it('keeps validating the other documents after a syntax error', () => {
    const results = parseTraceConfigurations(`${GOOD.replace('- port: 443', '- port: [443')}---\n${GOOD}`);
    expect(results.map((r) => r.state)).toEqual(['Errored', 'Accepted']);
  });

  it.each([
    ['an alias before its anchor', GOOD.replace('kind: TraceConfiguration', 'kind: *k'), 2, 7, 'k'],
    [
      'an alias whose anchor is in another document',
      GOOD.replace('name: good', 'name: &n good') + '---\n' + GOOD.replace('name: good', 'name: *n'),
      15,
      9,
      'n',
    ],
  ])(
    'reports %s as a located YAML error of that document only, and validates the others',
    (_name, text, line, column, alias) => {
      const results = parseTraceConfigurations(`${text}---\n${GOOD}`, { fileName: 'a.yaml' });
      const errored = results.filter((r) => r.state === 'Errored');
      expect(errored).toHaveLength(1);
      expect(errored[0]!.errors).toEqual([
        {
          path: '',
          message: `YAML syntax error: alias *${alias} refers to no anchor: an anchor &${alias} must come before it in the same document`,
          line,
          column,
        },
      ]);
      expect(results.filter((r) => r.state === 'Accepted').length).toBe(results.length - 1);
    },
  );

  it('reads a collection used as a key as an unknown field, without a process warning', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const [result] = parseTraceConfigurations(GOOD.replace('spec:', '? [a, b]\n: 1\nspec:'));
      expect(result?.state).toBe('Warning');
      expect(result?.warnings[0]?.message).toMatch(/^unknown field "\[ a, b \]" is ignored/);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('locates value problems at the value and unknown fields at the key', () => {
    const text = GOOD.replace('        - port: 443', '        - port: 0\n          protcol: UDP');
    const [result] = parseTraceConfigurations(text);
    expect(result?.errors).toEqual([
      {
        path: 'spec.traceConfigurations[0].ports[0].port',
        message: 'must be between 1 and 65535, got 0',
        line: 8,
        column: 17,
      },
    ]);
    expect(result?.warnings).toEqual([
      {
        path: 'spec.traceConfigurations[0].ports[0].protcol',
        message: 'unknown field "protcol" is ignored (did you mean "protocol"?)',
        line: 9,
        column: 11,
      },
    ]);
  });

  it('locates a missing field at its nearest parent', () => {
    const [result] = parseTraceConfigurations(
      GOOD.replace('    destination: stdout\n', '    connectionConfiguration: X\n'),
    );
    expect(result?.errors).toEqual([
      { path: 'spec.outputConfiguration.destination', message: 'is required', line: 10, column: 5 },
    ]);
  });

  it('orders issues by position in the file', () => {
    const text = GOOD.replace('name: good', 'name: Bad').replace('destination: stdout', 'destination: kafka');
    const [result] = parseTraceConfigurations(text);
    expect(result?.errors.map((e) => e.line)).toEqual([4, 10]);
    expect(result?.reason).toBe(
      'metadata.name: "Bad" must consist of lower case letters, digits, "-" and ".", and start and end with a letter or digit (e.g. "http-to-storage"); spec.outputConfiguration.destination: must be one of stdout, azuretable, loganalytics, opentelemetry (any letter case), got "kafka"',
    );
  });

  it('reads JSON too (a YAML subset)', () => {
    const json = JSON.stringify({
      apiVersion: 'retina.sh/v1alpha1',
      kind: 'TraceConfiguration',
      metadata: { name: 'j' },
      spec: {
        traceConfigurations: [{ ports: [{ port: 1 }] }],
        outputConfiguration: { destination: 'stdout' },
      },
    });
    expect(parseTraceConfigurations(json)[0]?.state).toBe('Accepted');
  });

  it('a scalar document is Errored', () => {
    expect(parseTraceConfigurations('just text')[0]?.errors).toEqual([
      {
        path: '',
        message:
          'a TraceConfiguration must be a mapping with apiVersion, kind, metadata and spec, got "just text"',
        line: 1,
        column: 1,
      },
    ]);
  });
});

describe('samples', () => {
  const dir = join(ROOT, 'samples');
  const files = readdirSync(dir).filter((name) => name.endsWith('.yaml'));

  it('has the docs example, the upstream form and one sample per destination', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
    const destinations = files.flatMap((f) =>
      parseTraceConfigurations(readFileSync(join(dir, f), 'utf8')).map((r) => r.spec?.output.destination),
    );
    expect(new Set(destinations)).toEqual(new Set(['stdout', 'azuretable', 'loganalytics', 'opentelemetry']));
  });

  it.each(files)('%s validates without errors', (file) => {
    const results = parseTraceConfigurations(readFileSync(join(dir, file), 'utf8'), { fileName: file });
    expect(results.length).toBeGreaterThan(0);
    for (const result of results) {
      expect(result.errors).toEqual([]);
      expect(result.state).toBe(file === 'retina-docs-example.yaml' ? 'Warning' : 'Accepted');
    }
  });

  it('the docs example warns about its shorthand selector and except placement, and normalises fully', () => {
    const [result] = parseTraceConfigurations(readFileSync(join(dir, 'retina-docs-example.yaml'), 'utf8'));
    expect(result?.warnings.map((w) => [w.path, w.line, w.column])).toEqual([
      ['spec.traceConfigurations[0].from[0].except', 15, 11],
      ['spec.traceConfigurations[0].to[0].namespaceSelector', 19, 13],
    ]);
    expect(result?.spec?.rules[0]?.targets[0]).toEqual({
      from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.0.5/32'] } }],
      to: [{ namespaceSelector: { matchLabels: { label: 'value' }, matchExpressions: [] } }],
      ports: [{ protocol: 'TCP', port: 80 }],
      tracePoints: ['PodToNode', 'NodeToPod'],
      tracePointsRestricted: true,
    });
  });

  it.each<[string, [string, number | undefined, string][][]]>([
    [
      'five-mistakes.yaml',
      [
        [
          ['metadata.name', 5, '"Web_Traces" must consist of lower case letters'],
          ['spec.traceConfigurations[0].captureLevel', 8, 'must be one of FirstPacket, AllPackets'],
          [
            'spec.traceConfigurations[0].from[0].ipBlock.except[0]',
            13,
            "10.1.0.0/24 is not inside the ipBlock's cidr 10.0.0.0/16",
          ],
          ['spec.traceConfigurations[0].to[0]', 15, 'podSelector needs a namespaceSelector'],
          [
            'spec.traceConfigurations[0].ports[0].endPort',
            20,
            'must be greater than or equal to port (8080), got 80',
          ],
        ],
      ],
    ],
    [
      'inline-secret.yaml',
      [
        [
          [
            'spec.outputConfiguration.connectionConfiguration',
            13,
            'contains an AccountKey=: credentials must not be written',
          ],
        ],
      ],
    ],
    [
      'multi-document.yaml',
      [
        [],
        [['', 21, 'YAML syntax error: Flow sequence in block collection']],
        [['spec.traceConfigurations[0].ports[0].port', 31, 'must be between 1 and 65535, got 70000']],
      ],
    ],
    [
      'selector-combinations.yaml',
      [
        [
          [
            'spec.traceConfiguration[0].traceTargets[0].from',
            11,
            'ipBlock cannot be combined with namespaceSelector',
          ],
          [
            'spec.traceConfiguration[0].traceTargets[0].to',
            17,
            'nodeSelector and serviceSelector cannot be combined',
          ],
          [
            'spec.traceConfiguration[0].traceTargets[1].from.namespaceSelector.matchExpressions[0].values',
            26,
            'operator In needs at least one value',
          ],
          ['spec.traceConfiguration[0].traceTargets[1].tracePoints[0]', 29, 'got "PodToPod"'],
          ['spec.outputConfiguration.destination', 31, 'got "kafka"'],
        ],
      ],
    ],
  ])('invalid/%s reports exactly its problems', (file, expected) => {
    const text = readFileSync(join(dir, 'invalid', file), 'utf8');
    const results = parseTraceConfigurations(text, { fileName: file });
    expect(results.map((r) => r.errors.map((e) => [e.path, e.line]))).toEqual(
      expected.map((doc) => doc.map(([path, line]) => [path, line])),
    );
    results.forEach((result, i) => {
      (expected[i] ?? []).forEach(([, , message], j) => expect(result.errors[j]?.message).toContain(message));
    });
    expect(JSON.stringify(results)).not.toContain('bm90LWEtcmVhbC1rZXk');
  });
});
