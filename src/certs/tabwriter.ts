/**
 * Go's text/tabwriter with padchar ' ' and no flags, as kubeadm prints its
 * tables (tabwriter.NewWriter(out, minwidth, tabwidth, padding, ' ', 0)): a cell
 * is text ended by a tab; the text after a line's last tab is not aligned; a
 * column is as wide as its widest cell plus `padding` (at least `minwidth`),
 * measured over the run of lines that have that cell, so an empty line starts
 * a new table. Ported from the algorithm, so that the spaces match byte for byte.
 */
export function goTabwriter(text: string, minwidth: number, padding: number): string {
  const lines = text.split("\n");
  // The text after the final newline is a line too, as Flush writes it.
  const cells = lines.map((l) => l.split("\t"));
  const width = (s: string) => [...s].length;
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      let line = "";
      cells[i].forEach((c, j) => {
        line += c;
        if (j < widths.length) line += " ".repeat(Math.max(0, widths[j] - width(c)));
      });
      out.push(line);
    }
  };

  const format = (line0: number, line1: number) => {
    const column = widths.length;
    for (let i = line0; i < line1; i++) {
      if (column >= cells[i].length - 1) continue;
      writeLines(line0, i);
      line0 = i;
      let w = minwidth;
      for (; i < line1; i++) {
        if (column >= cells[i].length - 1) break;
        w = Math.max(w, width(cells[i][column]) + padding);
      }
      widths.push(w);
      format(line0, i);
      widths.pop();
      line0 = i;
      i--; // the outer loop's i++ must look at the line that ended the block again
    }
    writeLines(line0, line1);
  };

  format(0, cells.length);
  return out.join("\n");
}
