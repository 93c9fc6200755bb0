export { formatArgv, formatCommandLine } from './format.js';
export {
  type CommandContext,
  type CommandRequest,
  parseArgv,
  parseCommandRequest,
  rejectionOf,
} from './parse.js';
export { MAX_ARG_CHARS, MAX_ARGS, MAX_COMMAND_CHARS, tokenize } from './tokenize.js';
export * from './types.js';
