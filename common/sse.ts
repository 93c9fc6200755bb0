// Server-Sent Events as POST /debug/execute writes them for follow commands: `event: <name>` and one `data:`
// line of JSON per event, events separated by a blank line. The gateway writes them; the CLI and tests read them.

export interface SseEvent {
  event: string;
  data: unknown;
}

/**
 * One event on the wire. JSON escapes CR and LF, so output cannot end the data line; it leaves U+2028 and
 * U+2029 raw, which are line ends to JavaScript's regular expressions and to some line readers: escaped too.
 */
export function formatSseEvent(event: string, data: unknown): string {
  const json = JSON.stringify(data).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  return `event: ${event}\ndata: ${json}\n\n`;
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
    // Lines end at LF only (the writer's): a U+2028 from an older gateway stays inside its data line.
    const lines = block.split('\n');
    const field = (name: string) =>
      lines.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
    const event = field('event');
    const data = field('data');
    if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) as unknown });
  }
  return { events, rest };
}
