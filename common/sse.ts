// Server-Sent Events as POST /debug/execute writes them for follow commands: `event: <name>` and one `data:`
// line of JSON per event, events separated by a blank line. The gateway writes them; the CLI and tests read them.

export interface SseEvent {
  event: string;
  data: unknown;
}

/** One event on the wire. */
export function formatSseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The complete events at the start of `buffer`, and the unfinished rest to prepend to the next chunk. */
export function takeSseEvents(buffer: string): { events: SseEvent[]; rest: string } {
  const events: SseEvent[] = [];
  let rest = buffer;
  let cut = rest.indexOf('\n\n');
  while (cut >= 0) {
    const block = rest.slice(0, cut);
    rest = rest.slice(cut + 2);
    cut = rest.indexOf('\n\n');
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const data = /^data: (.*)$/m.exec(block)?.[1];
    if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) as unknown });
  }
  return { events, rest };
}
