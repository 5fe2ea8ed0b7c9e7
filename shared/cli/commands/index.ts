import type { Command } from '../command';
import { applyCommand } from './apply';
import { deleteCommand } from './delete';
import { getCommand } from './get';

/** Every `tracectl` command, in `--help` order. Add new commands here. */
export const COMMANDS: readonly Command[] = [applyCommand, getCommand, deleteCommand];
