import type { Command } from '../command';
import { validateCommand } from './validate';

/** Every `tracectl` command, in `--help` order. Add new commands here. */
export const COMMANDS: readonly Command[] = [validateCommand];
