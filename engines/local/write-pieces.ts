import * as fs from 'node:fs';

/**
 * Large writes go to the kernel in pieces of at most 1 MiB. A single 8 MiB write(2) into a new
 * file on Linux 6.x (ext4 with large folios) asks the page cache for 2 MiB folios, and when
 * memory is fragmented that allocation compacts memory first: `dd bs=8M` of 635 MB measured
 * 157 to 1,519 ms between runs on this project's machine where `dd bs=1M` stayed at 105 to
 * 140 ms, and the import's unpack was 2.4 times `zstd -d` (which writes 128 KiB at a time)
 * until its frames were written this way.
 */
export const WRITE_PIECE_BYTES = 1 << 20;

/** Writes all of `data` at `position` through `fd`, in pieces (the codec threads' path for decompressed frames). */
export function writeAllSync(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.byteLength) {
    done += fs.writeSync(fd, data, done, Math.min(WRITE_PIECE_BYTES, data.byteLength - done), position + done);
  }
}
