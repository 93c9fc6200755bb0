// kubectl's PrefixWriter: two spaces per level, terminal escapes neutralized, into a TabWriter.

import { escapeTerminal } from '../../common/terminal.js';
import { TabWriter } from '../printers/tabwriter.js';

export const LEVEL_0 = 0;
export const LEVEL_1 = 1;
export const LEVEL_2 = 2;
export const LEVEL_3 = 3;
export const LEVEL_4 = 4;

export class PrefixWriter {
  private readonly tw: TabWriter | null;
  private raw = '';

  /**
   * `aligned: false` writes straight into the text, tabs and all, as kubectl does where it hands
   * describe.NewPrefixWriter a bare buffer (rollout history --revision's pod template).
   */
  constructor({ aligned = true }: { aligned?: boolean } = {}) {
    this.tw = aligned ? new TabWriter() : null;
  }

  private put(text: string): void {
    if (this.tw) this.tw.write(text);
    else this.raw += text;
  }

  write(level: number, text: string): void {
    this.put(escapeTerminal('  '.repeat(level) + text));
  }

  /** Go's fmt.Sprintln: operands joined by spaces, then a newline. */
  writeLine(...parts: string[]): void {
    this.put(escapeTerminal(`${parts.join(' ')}\n`));
  }

  toString(): string {
    return this.tw ? this.tw.finish() : this.raw;
  }
}

/** tabbedString: runs a describer body against a fresh writer and returns the aligned text. */
export function tabbed(body: (w: PrefixWriter) => void): string {
  const w = new PrefixWriter();
  body(w);
  return w.toString();
}
