// Go's text/tabwriter as kubectl configures it (cli-runtime printers.GetNewTabWriter: minwidth 6,
// padding 3, pad char ' '). Rows are tab-separated cells; the last cell of a line is not part of a
// column and is never padded. A column's width is computed per block of consecutive lines that
// have that column, exactly as tabwriter does, so ragged input lays out the same way too.

const minWidth = 6;
const padding = 3;

function runeLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export function formatTabbed(lines: readonly string[][]): string {
  const widths: number[][] = lines.map(() => []);
  layout(lines, widths, 0, 0, lines.length);
  let out = '';
  for (let i = 0; i < lines.length; i++) {
    const cells = lines[i] ?? [];
    const lineWidths = widths[i] ?? [];
    for (let c = 0; c < cells.length; c++) {
      const text = cells[c] ?? '';
      if (c < cells.length - 1) {
        out += text + ' '.repeat(Math.max(0, (lineWidths[c] ?? 0) - runeLength(text)));
      } else {
        out += text;
      }
    }
    out += '\n';
  }
  return out;
}

/** Assigns the width of `column` for each block of consecutive lines in [from, to) having that column. */
function layout(
  lines: readonly string[][],
  widths: number[][],
  column: number,
  from: number,
  to: number,
): void {
  let line = from;
  while (line < to) {
    // A line has column `column` as a padded cell when it has more cells after it.
    if ((lines[line]?.length ?? 0) - 1 <= column) {
      line++;
      continue;
    }
    const start = line;
    let width = minWidth;
    while (line < to && (lines[line]?.length ?? 0) - 1 > column) {
      width = Math.max(width, runeLength(lines[line]?.[column] ?? '') + padding);
      line++;
    }
    for (let i = start; i < line; i++) widths[i]![column] = width;
    layout(lines, widths, column + 1, start, line);
  }
}
