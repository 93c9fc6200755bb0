// A port of Go's text/tabwriter as kubectl's describe configures it (minwidth 0, padding 2,
// padchar ' ', no flags). Column blocks, flushes on tab-less lines and trailing padding follow
// Go's algorithm exactly, because describe output is only byte-identical if alignment is.

interface Cell {
  text: string;
  width: number;
  htab: boolean;
}

const PADDING = 2;

export class TabWriter {
  private readonly out: string[] = [];
  private lines: Cell[][] = [[]];
  private cellText = '';
  private widths: number[] = [];

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

  /** Flushes what is buffered and returns everything written so far. */
  finish(): string {
    this.flushLines();
    return this.out.join('');
  }

  private terminateCell(htab: boolean): number {
    const line = this.lines[this.lines.length - 1] as Cell[];
    line.push({ text: this.cellText, width: [...this.cellText].length, htab });
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
      let width = 0;
      for (; t < line1; t++) {
        const line = this.lines[t] as Cell[];
        if (column >= line.length - 1) break;
        width = Math.max(width, (line[column] as Cell).width + PADDING);
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
