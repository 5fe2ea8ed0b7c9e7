import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadCommand } from '../../shared/cli/command';
import { COMMANDS } from '../../shared/cli/commands';
import { runCli } from '../../shared/cli/run';

const ROOT = join(__dirname, '..', '..');

async function tracectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, COMMANDS, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: {},
    cwd: ROOT,
  });
  return { code, stdout, stderr };
}

const names = COMMANDS.map((command) => command.name);
const groups = [...new Set(names.filter((name) => name.includes(' ')).map((name) => name.split(' ')[0]!))];

describe('tracectl command tree', () => {
  it.each(names.map((name) => [name]))('`tracectl %s --help` prints its usage and exits 0', async (name) => {
    for (const flag of ['--help', '-h']) {
      const out = await tracectl([...name.split(' '), flag]);
      expect(out).toMatchObject({ code: 0, stderr: '' });
      expect(out.stdout).toMatch(new RegExp(`^Usage: tracectl ${name}\\b`));
    }
  });

  it.each(groups.map((group) => [group]))(
    '`tracectl %s --help` lists its sub-commands and exits 0',
    async (group) => {
      const out = await tracectl([group, '--help']);
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(new RegExp(`^Usage: tracectl ${group} <command>`));
      for (const name of names.filter((n) => n.startsWith(`${group} `))) expect(out.stdout).toContain(name);
    },
  );

  it.each<[string[], number, RegExp]>([
    [[], 2, /^tracectl: validate, inspect/],
    [['--help'], 0, /^tracectl: validate, inspect/],
    [['help'], 0, /^tracectl: validate, inspect/],
    [['--version'], 0, /^0\.1\.0\n$/],
    // A command that parses its own arguments runs without the commander tree, except where
    // commander answers: help, and the top-level --version anywhere on the line.
    [['inspect', 'x.pcap', '--version'], 0, /^0\.1\.0\n$/],
    [['inspect', 'x.pcap', '-h'], 0, /^Usage: tracectl inspect CAPTURE/],
    [['inspect', 'x.pcap', '--nope'], 2, /^$/],
  ])('tracectl %j exits %i', async (args, code, stdout) => {
    const out = await tracectl(args);
    expect(out.code).toBe(code);
    expect(out.stdout).toMatch(stdout);
  });

  it.each<[string[], RegExp]>([
    [
      ['valdate'],
      /^tracectl: unknown command 'valdate'\n\(Did you mean validate\?\)\nRun `tracectl --help` for usage\.\n$/,
    ],
    [
      ['deadletter'],
      /^tracectl deadletter: missing sub-command\. One of: deadletter list, deadletter replay\n$/,
    ],
    [['deadletter', 'lst'], /unknown command 'lst'\n\(Did you mean list\?\)/],
    [['validate', '--fil', 'x'], /^tracectl validate: unknown option '--fil'\n\(Did you mean --file\?\)/],
    [['completion', 'fish'], /^tracectl completion: give the shell: bash or zsh/],
  ])('usage error %j exits 2 with a friendly message', async (args, stderr) => {
    const out = await tracectl(args);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(stderr);
  });

  it('every lazily loaded command has the name and summary its module declares', async () => {
    for (const entry of COMMANDS) {
      const command = await loadCommand(entry);
      expect({ name: command.name, summary: command.summary }).toEqual({
        name: entry.name,
        summary: entry.summary,
      });
    }
  });
});

describe('tracectl completion', () => {
  it.each([['bash'], ['zsh']])('%s script names every command and the options of each', async (shell) => {
    const out = await tracectl(['completion', shell]);
    expect(out.code).toBe(0);
    for (const name of ['validate', 'get', 'describe', 'deadletter', 'completion'])
      expect(out.stdout).toContain(name);
    expect(out.stdout).toContain(
      "'get') words='--all-namespaces --help --key --namespace --output --server --watch --watch-interval -A -n -o -w'",
    );
    expect(out.stdout).toContain("'deadletter') words='list replay'");
  });

  it('the bash script completes commands, sub-commands and options in a real bash', async () => {
    const script = (await tracectl(['completion', 'bash'])).stdout;
    const probe = `${script}
complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _tracectl; echo "\${COMPREPLY[*]}"; }
complete_words tracectl de
complete_words tracectl deadletter ''
complete_words tracectl get --wa
`;
    const result = spawnSync('bash', ['-c', probe], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n').slice(0, 3)).toEqual([
      'deadletter delete describe',
      'list replay',
      '--watch --watch-interval',
    ]);
  });
});

describe('bin/tracectl.js', () => {
  it('runs the compiled JavaScript that `npm ci` (prepare) and `npm test` build, not TypeScript', () => {
    expect(existsSync(join(ROOT, 'dist', 'shared', 'cli', 'main.js'))).toBe(true);
    const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'tracectl.js'), '--version'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result).toMatchObject({ status: 0, stdout: '0.1.0\n', stderr: '' });
  });
});
