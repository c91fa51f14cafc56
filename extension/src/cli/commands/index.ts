// The command table: `natlens <name>` runs the entry of that name; --help lists them in this order.
// A new command is one module in this folder and one entry here.
import type { Command } from '../command';
import { rules } from './rules';
import { trace } from './trace';
import { check } from './check';
import { debug } from './debug';
import { explain } from './explain';
import { node } from './node';
import { snapshot } from './snapshot';

export const COMMANDS: readonly Command[] = [rules, trace, check, debug, explain, node, snapshot];
