/**
 * The fields of one 512-byte tar header, read as tar-stream reads them (its parser is not exported:
 * its package's `exports` lists only the index). For the two places that read headers straight
 * from the file instead of through tar-stream: the manifest found from the archive's end
 * (tail-manifest.ts) and the first table entry found by hopping from header to header
 * (tar-seek.ts). Each answers null where a field is not what it should be; the caller then falls
 * back to reading the archive through tar-stream.
 */

export const TAR_BLOCK = 512;

/** The header's checksum: its bytes summed with the checksum field read as spaces. */
export function checksumHolds(header: Buffer): boolean {
  let sum = 8 * 0x20;
  for (let i = 0; i < TAR_BLOCK; i += 1) if (i < 148 || i >= 156) sum += header[i];
  return octal(header, 148, 8) === sum;
}

/** The size field: octal, or (files over 8 GB) base-256 with the high bit set; null when it is neither. */
export function entrySize(header: Buffer): number | null {
  if (!(header[124] & 0x80)) return octal(header, 124, 12);
  if (header[124] !== 0x80) return null; // negative: not a size
  let size = 0;
  for (let i = 125; i < 136; i += 1) size = size * 256 + header[i];
  return Number.isSafeInteger(size) ? size : null;
}

/** A NUL-terminated text field. */
export function textField(header: Buffer, start: number, length: number): string {
  const nul = header.indexOf(0, start);
  return header.toString('utf8', start, nul === -1 || nul > start + length ? start + length : nul);
}

/** An octal field (spaces before, a space or NUL after), or null when it is not one. */
function octal(header: Buffer, start: number, length: number): number | null {
  const match = /^ *([0-7]+)[ \0]*$/.exec(header.toString('latin1', start, start + length));
  return match ? parseInt(match[1], 8) : null;
}
