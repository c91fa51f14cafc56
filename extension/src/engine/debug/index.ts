// Commands to check a Service's predicted NAT on a real node, and their terminal rendering.
export { debugCommands, type DebugCommand, type DebugOptions } from './commands';
export { formatDebugText, type FormatDebugOptions } from './format';
export { shq, cmd, iptablesPrintedProbability, hostPort } from './shell';
