import type { Command } from '../command';
import { agentCommand } from './agent';
import { applyCommand } from './apply';
import { deadletterListCommand } from './deadletterList';
import { deadletterReplayCommand } from './deadletterReplay';
import { deleteCommand } from './delete';
import { estimateCommand } from './estimate';
import { getCommand } from './get';
import { inspectCommand } from './inspect';
import { queryCommand } from './query';
import { replayCommand } from './replay';
import { validateCommand } from './validate';

/** Every `tracectl` command, in `--help` order. Add new commands here. */
export const COMMANDS: readonly Command[] = [
  validateCommand,
  inspectCommand,
  estimateCommand,
  applyCommand,
  getCommand,
  deleteCommand,
  replayCommand,
  agentCommand,
  queryCommand,
  deadletterListCommand,
  deadletterReplayCommand,
];
