export { parseTokensFile, renderAgentsConfigFile, writeFileAtomically } from './command.js';
export * from './permissions.js';
export * from './render.js';
