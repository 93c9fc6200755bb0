import type { Command } from '../../common/command/types.js';
import type { VerbContext, VerbResult } from './context.js';

export async function runExplain(_ctx: VerbContext, _command: Command): Promise<VerbResult> {
  return { output: '', error: 'error: explain is not available in this agent' };
}
