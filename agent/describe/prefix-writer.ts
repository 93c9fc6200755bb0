// kubectl's PrefixWriter: two spaces per level, terminal escapes neutralized, into a TabWriter.

import { escapeTerminal } from '../../common/terminal.js';
import { TabWriter } from '../printers/tabwriter.js';

export const LEVEL_0 = 0;
export const LEVEL_1 = 1;
export const LEVEL_2 = 2;
export const LEVEL_3 = 3;
export const LEVEL_4 = 4;

export class PrefixWriter {
  private readonly tw = new TabWriter();

  write(level: number, text: string): void {
    this.tw.write(escapeTerminal('  '.repeat(level) + text));
  }

  /** Go's fmt.Sprintln: operands joined by spaces, then a newline. */
  writeLine(...parts: string[]): void {
    this.tw.write(escapeTerminal(`${parts.join(' ')}\n`));
  }

  toString(): string {
    return this.tw.finish();
  }
}

/** tabbedString: runs a describer body against a fresh writer and returns the aligned text. */
export function tabbed(body: (w: PrefixWriter) => void): string {
  const w = new PrefixWriter();
  body(w);
  return w.toString();
}
