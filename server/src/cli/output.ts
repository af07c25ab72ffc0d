/** What the CLI prints: JSON, plain lines, or a progress bar on a terminal. */
import type { Progress } from '../engine';

export { formatBytes } from '../../../shared/format';

export const printJson = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/** Fixed-width columns, like `ls -l`; the last column is never padded. */
export const formatTable = (header: string[], rows: string[][]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
};

/**
 * On a terminal, one bar redrawn in place on stderr; elsewhere (CI logs, pipes) one plain line
 * per step and per 10%, so logs stay readable.
 */
export const progressPrinter = (stream: NodeJS.WriteStream = process.stderr) => {
  const tty = Boolean(stream.isTTY);
  let lastStep = '';
  let lastDecile = -1;
  return {
    update({ step, percent, detail }: Progress) {
      if (tty) {
        const width = 30;
        const filled = Math.round((percent / 100) * width);
        const text = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(percent)).padStart(3)}% ${step}${detail ? ` ${detail}` : ''}`;
        stream.write(`\r${text.slice(0, (stream.columns || 80) - 1).padEnd((stream.columns || 80) - 1)}`);
        return;
      }
      const decile = Math.floor(percent / 10);
      if (step !== lastStep || decile !== lastDecile) {
        stream.write(`${String(Math.floor(percent)).padStart(3)}% ${step}${detail ? ` ${detail}` : ''}\n`);
        lastStep = step;
        lastDecile = decile;
      }
    },
    done() {
      if (tty) stream.write('\n');
    },
  };
};
