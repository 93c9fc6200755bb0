// kubectl explain is not implemented yet (it needs kubectl's plaintext template over /openapi/v3);
// the command fails with a clear message rather than printing something that only looks right.

import type { Command } from '../../common/command/types.js';
import type { VerbContext, VerbResult } from './context.js';

export async function runExplain(_ctx: VerbContext, _command: Command): Promise<VerbResult> {
  return { output: '', error: 'error: explain is not available in this Kubently agent yet' };
}
