export {
  type CommandAllowed,
  type CommandDecision,
  type CommandRefused,
  checkArgv,
  checkCommand,
  checkParsed,
  parseRequest,
} from './check.js';
export { PRESETS } from './compile.js';
export {
  allowsCustomGroup,
  canUseCluster,
  effectiveLogTail,
  effectiveTimeoutMs,
  evaluate,
  maxOutputBytes,
  policyForCluster,
  presetName,
  streamLimits,
} from './evaluate.js';
export { loadPolicyFile, PolicyLoadError, parsePolicy } from './load.js';
export { PRESET_DOCUMENTS } from './presets.js';
export * from './types.js';
export { type PolicyWatcher, watchPolicyFile } from './watch.js';
