// Collects a command's combined output up to a byte cap. Beyond the cap it keeps counting (and,
// in "head-and-tail" mode, keeps the last bytes) so the caller can tell a flood from a long log.

export type TruncateMode = "head" | "head-and-tail";

export class OutputCollector {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  /** Bytes seen in total, kept or not. */
  totalBytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly mode: TruncateMode = "head",
  ) {}

  get truncated(): boolean {
    return this.totalBytes > this.maxBytes;
  }

  /** Bytes received beyond the cap. */
  get overflowBytes(): number {
    return Math.max(0, this.totalBytes - this.maxBytes);
  }

  private get headLimit(): number {
    return this.mode === "head" ? this.maxBytes : Math.ceil(this.maxBytes / 2);
  }

  push(chunk: Buffer): void {
    this.totalBytes += chunk.length;
    const room = this.headLimit - this.headBytes;
    if (room > 0) {
      const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.head.push(kept);
      this.headBytes += kept.length;
      chunk = chunk.subarray(kept.length);
    }
    if (this.mode === "head" || chunk.length === 0) return;
    this.pushTail(chunk);
  }

  private pushTail(chunk: Buffer): void {
    const tailLimit = this.maxBytes - this.headLimit;
    if (tailLimit <= 0) return;
    const kept = chunk.length > tailLimit ? chunk.subarray(chunk.length - tailLimit) : chunk;
    this.tail.push(Buffer.from(kept)); // copy: the stream may reuse its buffer
    this.tailBytes += kept.length;
    while (this.tailBytes > tailLimit && this.tail.length > 0) {
      const first = this.tail[0]!;
      const excess = this.tailBytes - tailLimit;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailBytes -= excess;
      }
    }
  }

  /** The kept output as UTF-8 text (a cut multi-byte character becomes U+FFFD). */
  text(): string {
    const head = Buffer.concat(this.head).toString("utf8");
    if (this.mode === "head" || !this.truncated) return head + Buffer.concat(this.tail).toString("utf8");
    const omitted = this.totalBytes - this.headBytes - this.tailBytes;
    return `${head}\n[… ${omitted} bytes of output omitted …]\n${Buffer.concat(this.tail).toString("utf8")}`;
  }
}
