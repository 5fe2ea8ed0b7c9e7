import type { Command } from '../command';

/** Every `tracectl` command, in `--help` order. Add new commands here. */
export const COMMANDS: readonly Command[] = [];
