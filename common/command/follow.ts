// Follow commands keep running and print as things happen: they stream (Server-Sent Events to the client,
// chunks with flow control from the agent) instead of answering with one finished body.

import type { Command } from './types.js';

/** True for `logs -f` and `get -w` / `--watch-only`. */
export function isFollowCommand(command: Pick<Command, 'verb' | 'flags'>): boolean {
  const { verb, flags } = command;
  if (verb === 'logs') return flags.follow === true;
  if (verb === 'get') return flags.watch === true || flags.watchOnly === true;
  return false;
}
