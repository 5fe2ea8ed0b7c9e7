/* eslint-disable @typescript-eslint/no-require-imports -- each command's module (and its SDKs) loads only when that command runs */
import { lazyCommand, type Command, type CommandEntry } from '../command';
import { completionCommand } from './completion';

/**
 * Every `tracectl` command, in `--help` order. Each is loaded only when it runs, so the CLI starts
 * fast: add a command with `lazyCommand(name, summary, () => (require('./x') as { xCommand: Command }).xCommand)`
 * (a plain imported Command works too, at the cost of loading it on every start).
 */
export const COMMANDS: readonly CommandEntry[] = [
  lazyCommand(
    'validate',
    'Check TraceConfiguration manifests (both spellings) and show every problem with file:line:column.',
    () => (require('./validate') as { validateCommand: Command }).validateCommand,
  ),
  lazyCommand(
    'inspect',
    'run the whole pipeline offline on a capture file and print trace records',
    () => (require('./inspect') as { inspectCommand: Command }).inspectCommand,
  ),
  lazyCommand(
    'estimate',
    'project records, GB/day and cost/day of configurations from a sample capture',
    () => (require('./estimate') as { estimateCommand: Command }).estimateCommand,
  ),
  lazyCommand(
    'apply',
    'create or update TraceConfigurations in the backend',
    () => (require('./apply') as { applyCommand: Command }).applyCommand,
  ),
  lazyCommand(
    'get',
    'show TraceConfigurations stored in the backend, with their status',
    () => (require('./get') as { getCommand: Command }).getCommand,
  ),
  lazyCommand(
    'describe',
    'show one TraceConfiguration in detail: spec, status and last known good spec',
    () => (require('./describe') as { describeCommand: Command }).describeCommand,
  ),
  lazyCommand(
    'delete',
    'delete a TraceConfiguration from the backend',
    () => (require('./delete') as { deleteCommand: Command }).deleteCommand,
  ),
  lazyCommand(
    'replay',
    'publish a capture to Event Hubs as a node agent would',
    () => (require('./replay') as { replayCommand: Command }).replayCommand,
  ),
  lazyCommand(
    'agent',
    'capture live with tcpdump and publish trace batches (reference agent)',
    () => (require('./agent') as { agentCommand: Command }).agentCommand,
  ),
  lazyCommand(
    'query',
    'read trace records back from Azure Table, with filters',
    () => (require('./query') as { queryCommand: Command }).queryCommand,
  ),
  lazyCommand(
    'deadletter list',
    'List dead-lettered record batches and input events',
    () => (require('./deadletterList') as { deadletterListCommand: Command }).deadletterListCommand,
  ),
  lazyCommand(
    'deadletter replay',
    'Re-send dead-lettered records to their destination',
    () => (require('./deadletterReplay') as { deadletterReplayCommand: Command }).deadletterReplayCommand,
  ),
  lazyCommand(
    'pcap',
    'Write the retained packets of a record, flow, Community ID or pod as pcapng',
    () => (require('./pcap') as { pcapCommand: Command }).pcapCommand,
  ),
  completionCommand(() => COMMANDS),
];
