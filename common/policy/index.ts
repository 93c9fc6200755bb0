export { PRESETS } from './compile.js';
export {
  canUseCluster,
  denialError,
  effectiveLogTail,
  effectiveTimeoutMs,
  evaluate,
  maxOutputBytes,
  policyForCluster,
  presetName,
} from './evaluate.js';
export { type CommandExplanation, explainCommand } from './explain.js';
export { loadPolicyFile, PolicyLoadError, parsePolicy } from './load.js';
export { PRESET_DOCUMENTS } from './presets.js';
export * from './types.js';
export { type PolicyWatcher, watchPolicyFile } from './watch.js';
