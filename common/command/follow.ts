// Follow commands keep running and print as things happen: they stream (Server-Sent Events to the client,
// chunks with flow control from the agent) instead of answering with one finished body.

import type { Command } from './types.js';

/** True for `logs -f`, `get -w` / `--watch-only`, `events --watch` and `rollout status` (kubectl's --watch default). */
export function isFollowCommand(command: Pick<Command, 'verb' | 'flags' | 'subcommand'>): boolean {
  const { verb, flags } = command;
  if (verb === 'rollout') return command.subcommand === 'status' && flags.watch !== false;
  if (verb === 'logs') return flags.follow === true;
  if (verb === 'get') return flags.watch === true || flags.watchOnly === true;
  if (verb === 'events') return flags.watch === true;
  return false;
}
