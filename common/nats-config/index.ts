export { type NatsConfigCommandOptions, parseTokensFile, runNatsConfigCommand } from './command.js';
export * from './permissions.js';
export * from './render.js';
