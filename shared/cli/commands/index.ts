import type { Command } from '../command';
import { deadletterListCommand } from './deadletterList';
import { deadletterReplayCommand } from './deadletterReplay';

/** Every `tracectl` command, in `--help` order. Add new commands here. */
export const COMMANDS: readonly Command[] = [deadletterListCommand, deadletterReplayCommand];
