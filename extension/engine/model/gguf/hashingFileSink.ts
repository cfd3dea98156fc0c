// A buffered, append-only file sink that hashes (sha256) every byte it writes, so a file is written
// and hashed in one pass without ever being held whole in memory.

import { createHash, type Hash } from "node:crypto";
import { open, type FileHandle } from "node:fs/promises";

const DEFAULT_BUFFER_BYTES = 8 << 20;

export class HashingFileSink {
  private readonly hash: Hash = createHash("sha256");
  private readonly buf: Uint8Array;
  private used = 0;
  private written = 0;

  private constructor(
    private readonly handle: FileHandle,
    bufferBytes: number,
  ) {
    this.buf = new Uint8Array(bufferBytes);
  }

  static async create(file: string, bufferBytes = DEFAULT_BUFFER_BYTES): Promise<HashingFileSink> {
    return new HashingFileSink(await open(file, "w"), bufferBytes);
  }

  /** Bytes accepted so far (written or buffered). */
  get size(): number {
    return this.written + this.used;
  }

  /**
   * Appends `byteLength` bytes produced by `fill`, which writes them into `target` at `offset`.
   * Small writes land in the buffer directly (no copy); larger ones get their own array.
   */
  async append(byteLength: number, fill: (target: Uint8Array, offset: number) => void): Promise<void> {
    if (byteLength > this.buf.length - this.used) await this.flush();
    if (byteLength <= this.buf.length) {
      fill(this.buf, this.used);
      this.used += byteLength;
      return;
    }
    const own = new Uint8Array(byteLength);
    fill(own, 0);
    await this.writeRaw(own);
  }

  async bytes(data: Uint8Array): Promise<void> {
    await this.append(data.length, (t, o) => t.set(data, o));
  }

  async zeros(n: number): Promise<void> {
    if (n > 0) await this.append(n, (t, o) => t.fill(0, o, o + n));
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    const chunk = this.buf.subarray(0, this.used);
    this.used = 0;
    await this.writeRaw(chunk);
  }

  private async writeRaw(data: Uint8Array): Promise<void> {
    this.hash.update(data);
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.handle.write(data, done, data.length - done);
      done += bytesWritten;
    }
    this.written += data.length;
  }

  /** Flushes, closes the file and returns the sha256 of everything written (hex). */
  async finish(): Promise<string> {
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
    return this.hash.digest("hex");
  }

  /** Closes the file without finishing it (after an error). */
  async dispose(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
