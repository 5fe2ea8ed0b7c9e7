/**
 * `tracectl inspect -f`: the TraceConfigurations to run, read from manifests. A module of its own,
 * loaded only when `-f` is given, because parsing manifests loads YAML and zod.
 */
import type { CommandIo } from './command';
import { manifestSources } from './manifestSources';
import { parseTraceConfigurations } from '../config/parseManifests';
import type { ConfigurationInput } from '../match/configurationMatcher';
import { errorMessage } from '../errors';

/**
 * Reads every manifest of `files` (files, directories or `-`). Resolves to the configurations, or
 * to undefined after printing every problem (file:line:column) to stderr when any is unreadable or
 * Errored.
 */
export async function loadConfigurations(
  files: string[],
  io: CommandIo,
): Promise<ConfigurationInput[] | undefined> {
  const inputs: ConfigurationInput[] = [];
  let failed = false;
  const sources = [];
  for (const file of files) {
    try {
      sources.push(...(await manifestSources(file, io)));
    } catch (caught) {
      io.stderr(`tracectl inspect: cannot read ${file}: ${errorMessage(caught)}\n`);
      failed = true;
    }
  }
  for (const source of sources) {
    const file = source.display;
    const text = await source.read();
    for (const result of parseTraceConfigurations(text, { fileName: file })) {
      if (result.spec === undefined) {
        failed = true;
        io.stderr(
          `${file} document ${result.document}: ${result.namespace}/${result.name || '(unnamed)'} is Errored:\n`,
        );
        for (const issue of result.errors)
          io.stderr(
            `  ${file}:${issue.line ?? result.line}:${issue.column ?? 1} ${issue.path}: ${issue.message}\n`,
          );
        continue;
      }
      for (const warning of result.warnings)
        io.stderr(`${file}:${warning.line ?? result.line}: warning: ${warning.path}: ${warning.message}\n`);
      inputs.push({ key: `${result.namespace}/${result.name}`, spec: result.spec });
    }
  }
  return failed ? undefined : inputs;
}
