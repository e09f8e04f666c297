/** Events per second over the last `windowMs` milliseconds (e.g. frames shown). */
export class RateMeter {
  private readonly times: number[] = [];

  constructor(private readonly windowMs = 1000) {}

  /** Records an event at `now` (milliseconds). */
  tick(now: number): void {
    this.times.push(now);
    while (this.times.length > 0 && this.times[0] < now - this.windowMs) this.times.shift();
  }

  /** Events per second: the intervals between the recorded events, averaged; 0 with fewer than two. */
  rate(): number {
    const n = this.times.length;
    if (n < 2) return 0;
    return ((n - 1) * 1000) / (this.times[n - 1] - this.times[0]);
  }

  reset(): void {
    this.times.length = 0;
  }
}
