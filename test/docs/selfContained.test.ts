import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadCommand } from '../../shared/cli/command';
import { COMMANDS } from '../../shared/cli/commands';
import { TRACE_RECORD_COLUMNS } from '../../shared/record/traceRecord';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (...parts: string[]): string => readFileSync(path.join(ROOT, ...parts), 'utf8');
const docs = readdirSync(path.join(ROOT, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => path.join('docs', name));

/** The docs and the CLI's help are the users' whole reference: nothing may point outside the repository. */
describe('docs stand alone', () => {
  it.each([...docs, 'README.md'].map((file) => [file]))(
    '%s cites no document outside the repository',
    (file) => {
      expect(read(file)).not.toMatch(/CONTRACTS|§ ?\d/);
    },
  );

  it.each([...docs, 'README.md'].map((file) => [file]))(
    '%s only names docs/*.md files that exist',
    (file) => {
      for (const [, name] of read(file).matchAll(/\bdocs\/([\w-]+\.md)/g)) {
        expect({ file, cites: name, exists: existsSync(path.join(ROOT, 'docs', name!)) }).toEqual({
          file,
          cites: name,
          exists: true,
        });
      }
    },
  );

  it('every command help is self-contained', async () => {
    for (const entry of COMMANDS) {
      const command = await loadCommand(entry);
      expect({ command: command.name, help: /CONTRACTS|§\d/.test(command.help) }).toEqual({
        command: command.name,
        help: false,
      });
    }
  });

  it('docs/record-schema.md describes every column the backend writes', () => {
    const schema = read('docs', 'record-schema.md');
    for (const [name] of TRACE_RECORD_COLUMNS) {
      expect({ name, described: new RegExp(`\\b${name}\\b`).test(schema) }).toEqual({
        name,
        described: true,
      });
    }
  });

  it('docs/cli.md lists every command', () => {
    const cli = read('docs', 'cli.md');
    for (const entry of COMMANDS)
      expect({ command: entry.name, listed: cli.includes(`\`${entry.name.split(' ')[0]}`) }).toEqual({
        command: entry.name,
        listed: true,
      });
  });

  it("docs/operations.md shows host.json's eventHubs section as it is", () => {
    const hostJson = JSON.parse(read('host.json')) as { extensions: { eventHubs: unknown } };
    const block = /## host\.json for the trigger[^\n]*\n\n```json\n([\s\S]*?)\n```/.exec(
      read('docs', 'operations.md'),
    );
    expect(block).not.toBeNull();
    const shown = JSON.parse(`{${block![1]!}}`) as { extensions: { eventHubs: unknown } };
    expect(shown.extensions.eventHubs).toEqual(hostJson.extensions.eventHubs);
  });

  it('docs/operations.md points to the dead-letter commands that exist, not to a script', () => {
    const operations = read('docs', 'operations.md');
    expect(operations).not.toMatch(/short script/);
    expect(operations).toContain('tracectl deadletter replay');
    expect(COMMANDS.map((command) => command.name)).toContain('deadletter replay');
  });
});
