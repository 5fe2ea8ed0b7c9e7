import { readRepoFile } from './repoFiles';

/** Azure Functions project conventions: how the app starts locally and what a deployment ships. */
describe('Functions project conventions', () => {
  const pkg = JSON.parse(readRepoFile('package.json')) as {
    scripts: Record<string, string>;
    bin: Record<string, string>;
    dependencies: Record<string, string>;
    main: string;
  };
  const funcignore = readRepoFile('.funcignore')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('npm start builds, then runs the Functions host (Core Tools), as the TypeScript quickstart does', () => {
    expect(pkg.scripts.prestart).toBe('npm run build');
    expect(pkg.scripts.start).toBe('func start');
    expect(pkg.main).toBe('dist/functions/index.js');
  });

  it('npm ci builds the compiled JavaScript (prepare), and tsx is not a runtime dependency', () => {
    expect(pkg.scripts.prepare).toBe('node tools/prepare.js');
    expect(pkg.dependencies).not.toHaveProperty('tsx');
    expect(pkg.bin.tracectl).toBe('bin/tracectl.js');
  });

  it('azure.yaml says where the build happens, and .funcignore agrees (node_modules shipped, sources not)', () => {
    expect(readRepoFile('azure.yaml')).toMatch(/\n {4}remoteBuild: false\n/);
    expect(funcignore).not.toContain('node_modules');
    expect(funcignore).not.toContain('/node_modules');
    for (const source of ['/shared', '/functions', '/test', '/tools', '*.ts', '/local.settings.json'])
      expect(funcignore).toContain(source);
    expect(funcignore).toContain('!dist/**');
    // An unanchored folder name would also drop dist/shared or dist/functions (gitignore rules).
    for (const line of funcignore)
      if (/^[a-z]+$/.test(line)) throw new Error(`.funcignore: '${line}' should be anchored as '/${line}'`);
  });

  it('.vscode has the launch and tasks the Azure Functions extension expects', () => {
    const launch = JSON.parse(readRepoFile('.vscode', 'launch.json')) as {
      configurations: { request: string; port: number; preLaunchTask: string }[];
    };
    const tasks = JSON.parse(readRepoFile('.vscode', 'tasks.json')) as {
      tasks: { label: string; type: string; command: string; dependsOn?: string }[];
    };
    const settings = JSON.parse(readRepoFile('.vscode', 'settings.json')) as Record<string, unknown>;
    const extensions = JSON.parse(readRepoFile('.vscode', 'extensions.json')) as {
      recommendations: string[];
    };
    expect(launch.configurations[0]).toMatchObject({
      request: 'attach',
      port: 9229,
      preLaunchTask: 'func: host start',
    });
    const byLabel = new Map(tasks.tasks.map((task) => [task.label, task]));
    expect(byLabel.get('func: host start')).toMatchObject({
      type: 'func',
      command: 'host start',
      dependsOn: 'npm build (functions)',
    });
    expect(byLabel.get('npm build (functions)')).toMatchObject({ command: 'npm run build' });
    expect(byLabel.get(settings['azureFunctions.preDeployTask'] as string)).toMatchObject({
      command: 'npm prune --omit=dev',
    });
    expect(byLabel.has(settings['azureFunctions.postDeployTask'] as string)).toBe(true);
    expect(settings).toMatchObject({
      'azureFunctions.projectLanguage': 'TypeScript',
      'azureFunctions.projectRuntime': '~4',
      'azureFunctions.projectLanguageModel': 4,
    });
    expect(extensions.recommendations).toContain('ms-azuretools.vscode-azurefunctions');
  });
});
