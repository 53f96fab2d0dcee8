import * as fs from 'node:fs';

/**
 * Large writes go to the kernel in pieces of 128 KiB, as `zstd -d` writes. A single 8 MiB
 * write(2) into a new file on Linux 6.x (ext4 with large folios) asks the page cache for large
 * folios, and when memory is fragmented that allocation compacts memory first: `dd bs=8M` of
 * 635 MB measured 157 to 1,519 ms between runs on this project's machine where `dd bs=1M`
 * stayed at 105 to 140 ms. In the full bench, after the 20-refresh run had churned through
 * memory, even 1 MiB pieces made the import's unpack 3x `zstd -d` at 5M rows; 128 KiB pieces
 * keep it at 0.8x.
 */
export const WRITE_PIECE_BYTES = 128 << 10;

/** Writes all of `data` at `position` through `fd`, in pieces (the codec threads' path for decompressed frames). */
export function writeAllSync(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.byteLength) {
    done += fs.writeSync(fd, data, done, Math.min(WRITE_PIECE_BYTES, data.byteLength - done), position + done);
  }
}
