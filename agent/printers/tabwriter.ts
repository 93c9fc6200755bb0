// Go's text/tabwriter, the one port for every kubectl table and describe page. Hand-written on purpose:
// kubectl output is only byte-identical if column blocks, flushes and trailing padding follow Go's
// algorithm exactly, and no npm library does. Configured as kubectl configures it (TABLE_TABWRITER for
// get/events/api-resources; the Go defaults minwidth 0, padding 2 for describe).

function runeLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

interface Cell {
  text: string;
  width: number;
  htab: boolean;
}

/** Go tabwriter.NewWriter's minwidth and padding (padchar ' ', no flags): describe's are the defaults. */
export interface TabWriterOptions {
  minWidth?: number;
  padding?: number;
  /**
   * Columns keep the widest width they had in any earlier flush (liggitt/tabwriter's RememberWidths, which
   * cli-runtime's printers.GetNewTabWriter sets): the rows kubectl get -w prints per change line up with the
   * table above them and with each other.
   */
  rememberWidths?: boolean;
}

/** kubectl get/events/api-resources tables: cli-runtime printers.GetNewTabWriter (minwidth 6, padding 3). */
export const TABLE_TABWRITER: TabWriterOptions = { minWidth: 6, padding: 3 };

/** Go's text/tabwriter: cells end at '\t', lines at '\n'; '\f' and single-cell lines flush as in Go. */
export class TabWriter {
  private readonly minWidth: number;
  private readonly padding: number;
  private readonly out: string[] = [];
  private lines: Cell[][] = [[]];
  private cellText = '';
  private widths: number[] = [];
  private readonly maxWidths: number[] | undefined;

  constructor({ minWidth = 0, padding = 2, rememberWidths = false }: TabWriterOptions = {}) {
    this.minWidth = minWidth;
    this.padding = padding;
    this.maxWidths = rememberWidths ? [] : undefined;
  }

  write(s: string): void {
    let start = 0;
    for (let i = 0; i < s.length; i++) {
      const ch = s[i];
      if (ch === '\t' || ch === '\v' || ch === '\n' || ch === '\f') {
        this.cellText += s.slice(start, i);
        start = i + 1;
        const ncells = this.terminateCell(ch === '\t');
        if (ch === '\n' || ch === '\f') {
          this.lines.push([]);
          // A line with a single cell cannot influence the alignment of later lines.
          if (ch === '\f' || ncells === 1) this.flushLines();
        }
      }
    }
    this.cellText += s.slice(start);
  }

  /**
   * One line whose cells are taken whole: a tab or newline inside a cell is text, not a separator.
   * Same as write(cells.join('\t') + '\n') for cells without them.
   */
  writeRow(cells: readonly string[]): void {
    const last = cells.length - 1;
    for (let c = 0; c < last; c++) {
      this.cellText += cells[c];
      this.terminateCell(true);
    }
    this.cellText += cells[last] ?? '';
    const ncells = this.terminateCell(false);
    this.lines.push([]);
    if (ncells === 1) this.flushLines();
  }

  /** Flushes what is buffered and returns everything written so far. */
  finish(): string {
    this.flushLines();
    return this.out.join('');
  }

  /** Flushes what is buffered (Go's Flush) and returns what was written since the previous flush(). */
  flush(): string {
    this.flushLines();
    const text = this.out.join('');
    this.out.length = 0;
    return text;
  }

  private terminateCell(htab: boolean): number {
    const line = this.lines[this.lines.length - 1] as Cell[];
    line.push({ text: this.cellText, width: runeLength(this.cellText), htab });
    this.cellText = '';
    return line.length;
  }

  private flushLines(): void {
    if (this.cellText.length > 0) this.terminateCell(false);
    this.format(0, this.lines.length);
    this.lines = [[]];
    this.widths = [];
  }

  private format(line0: number, line1: number): void {
    const column = this.widths.length;
    let start = line0;
    for (let t = line0; t < line1; t++) {
      if (column >= (this.lines[t] as Cell[]).length - 1) continue;
      this.writeLines(start, t);
      start = t;
      let width = this.minWidth;
      for (; t < line1; t++) {
        const line = this.lines[t] as Cell[];
        if (column >= line.length - 1) break;
        width = Math.max(width, (line[column] as Cell).width + this.padding);
      }
      const max = this.maxWidths;
      if (max !== undefined) {
        if (max.length < this.widths.length) max.push(...this.widths.slice(max.length));
        const remembered = max[this.widths.length];
        if (remembered === undefined) max.push(width);
        else if (remembered > width) width = remembered;
        else max[this.widths.length] = width;
      }
      this.widths.push(width);
      this.format(start, t);
      this.widths.pop();
      start = t;
    }
    this.writeLines(start, line1);
  }

  private writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i] as Cell[];
      line.forEach((c, j) => {
        this.out.push(c.text);
        const w = this.widths[j];
        if (w !== undefined && w > c.width) this.out.push(' '.repeat(w - c.width));
      });
      if (i + 1 === this.lines.length) {
        this.out.push(this.cellText);
        this.cellText = '';
      } else {
        this.out.push('\n');
      }
    }
  }
}

/** Lays out whole rows as a kubectl table: the last cell of a line is never padded. */
export function formatTabbed(lines: readonly (readonly string[])[]): string {
  const w = new TabWriter(TABLE_TABWRITER);
  for (const cells of lines) w.writeRow(cells);
  return w.finish();
}
