// Progress of long commands: bars (cli-progress) when stdout is a terminal, plain lines
// otherwise (logs, CI), both with the stage, epoch, loss and an ETA.
import cliProgress from "cli-progress";
import type { FoldEvent, FoldResult } from "@microexp/distill";
import { formatDuration, percent } from "./format.js";

export interface TaskProgress {
  update(done: number): void;
  done(): void;
}

export interface ProgressDisplay {
  /** A line of text (above the bars on a terminal). */
  log(line: string): void;
  /** A counted task such as decoding images. */
  task(label: string, total: number): TaskProgress;
  /** The start of a cross-validation run of `folds` folds, `done` of them finished earlier. */
  folds(total: number): void;
  /** Training progress of a unit of work: "fold 3", or "all data" for an export. */
  trainingEvent(unit: string, event: FoldEvent): void;
  foldDone(result: FoldResult, resumed: boolean): void;
  /** Removes the bars; call before printing anything else. */
  stop(): void;
}

export function foldSummaryLine(result: FoldResult, resumed: boolean): string {
  const m = result.metrics;
  const teacher = result.teacherMetrics ? `, teacher ${percent(result.teacherMetrics.cropAccuracy)}%` : "";
  return `fold ${result.fold} ${resumed ? "finished earlier" : `done in ${formatDuration(result.trainSeconds)}`}: ` +
    `crop-averaged ${percent(m.cropAccuracy)}%, voting ${percent(m.voteAccuracy)}%, inference crop ${percent(m.inferenceCropAccuracy)}%${teacher}`;
}

function stepsDone(event: FoldEvent): { value: number; total: number } {
  const { epoch, epochs, step, steps } = event.progress;
  return { value: (epoch - 1) * steps + step, total: epochs * steps };
}

function epochInfo(event: FoldEvent): string {
  const p = event.progress;
  // The epoch's mean loss so far, not the last batch's: an epoch's last batch is often small and noisy.
  return `epoch ${p.epoch}/${p.epochs}, loss ${p.epochLoss.toFixed(4)}`;
}

export function createProgress(options: { tty?: boolean; stream?: NodeJS.WriteStream } = {}): ProgressDisplay {
  const stream = options.stream ?? process.stdout;
  return (options.tty ?? stream.isTTY === true) ? new BarsDisplay(stream) : new LinesDisplay(stream);
}

/** Prints nothing: for programmatic use. */
export const silentProgress: ProgressDisplay = {
  log: () => {}, task: () => ({ update: () => {}, done: () => {} }), folds: () => {},
  trainingEvent: () => {}, foldDone: () => {}, stop: () => {},
};

interface StageClock {
  stage: FoldEvent["stage"];
  started: number;
  firstValue: number;
  lastPrinted: number;
}

/** Plain lines: a line per stage start, per epoch now and then, per fold done. */
class LinesDisplay implements ProgressDisplay {
  private readonly clocks = new Map<string, StageClock>();

  constructor(private readonly stream: NodeJS.WritableStream) {}

  log(line: string): void {
    this.stream.write(`${line}\n`);
  }

  task(label: string, total: number): TaskProgress {
    const started = performance.now();
    let lastShown = -1;
    this.log(`${label}: ${total} to do`);
    return {
      update: (done) => {
        // Every 10 %, so a log file shows the pace without a line per image.
        const tenth = Math.floor((done / total) * 10);
        if (tenth <= lastShown || done >= total) return;
        lastShown = tenth;
        const seconds = (performance.now() - started) / 1000;
        this.log(`${label}: ${done}/${total}, ETA ${formatDuration((seconds / done) * (total - done))}`);
      },
      done: () => this.log(`${label}: ${total}/${total} done in ${formatDuration((performance.now() - started) / 1000)}`),
    };
  }

  folds(total: number): void {
    this.log(`cross-validation: ${total} folds`);
  }

  trainingEvent(unit: string, event: FoldEvent): void {
    const now = performance.now();
    const { value, total } = stepsDone(event);
    let clock = this.clocks.get(unit);
    if (!clock || clock.stage !== event.stage) {
      clock = { stage: event.stage, started: now, firstValue: value, lastPrinted: 0 };
      this.clocks.set(unit, clock);
      const resumed = event.progress.epoch > 1 ? `resumed at epoch ${event.progress.epoch}/${event.progress.epochs}` : `started, ${event.progress.epochs} epochs`;
      this.log(`${unit} ${event.stage}: ${resumed}`);
    }
    const p = event.progress;
    if (p.step !== p.steps) return;
    // An epoch ended: print the first and the last, and otherwise at most one line per 10 s.
    const last = p.epoch === p.epochs;
    if (!last && clock.lastPrinted !== 0 && now - clock.lastPrinted < 10_000) return;
    clock.lastPrinted = now;
    const rate = (value - clock.firstValue + 1) / Math.max(1e-3, (now - clock.started) / 1000);
    this.log(`${unit} ${event.stage}: ${epochInfo(event)}${last ? "" : `, ETA ${formatDuration((total - value) / rate)}`}`);
  }

  foldDone(result: FoldResult, resumed: boolean): void {
    this.clocks.delete(`fold ${result.fold}`);
    this.log(foldSummaryLine(result, resumed));
  }

  stop(): void {}
}

/** cli-progress bars: one for the folds overall and one per running fold. */
class BarsDisplay implements ProgressDisplay {
  private readonly bars: cliProgress.MultiBar;
  private readonly unitBars = new Map<string, { bar: cliProgress.SingleBar; stage: FoldEvent["stage"] }>();
  private overall: cliProgress.SingleBar | undefined;
  private finished = 0;

  constructor(stream: NodeJS.WritableStream) {
    this.bars = new cliProgress.MultiBar({
      stream, hideCursor: true, clearOnComplete: false, etaBuffer: 50, fps: 5, autopadding: true,
      format: "{label} |{bar}| {percentage}% | {info} | ETA {eta_formatted}",
    }, cliProgress.Presets.shades_classic);
  }

  log(line: string): void {
    this.bars.log(`${line}\n`);
  }

  task(label: string, total: number): TaskProgress {
    const bar = this.bars.create(total, 0, { label: label.padEnd(18), info: `0/${total}` });
    return {
      update: (done) => bar.update(done, { info: `${done}/${total}` }),
      done: () => {
        bar.update(total, { info: `${total}/${total}` });
        this.bars.remove(bar);
        this.log(`${label}: ${total} done`);
      },
    };
  }

  folds(total: number): void {
    this.overall = this.bars.create(total, 0, { label: "folds".padEnd(18), info: `0/${total} done` });
  }

  trainingEvent(unit: string, event: FoldEvent): void {
    const { value, total } = stepsDone(event);
    let entry = this.unitBars.get(unit);
    if (entry && entry.stage !== event.stage) {
      this.bars.remove(entry.bar);
      entry = undefined;
    }
    const payload = { label: `${unit} ${event.stage}`.padEnd(18), info: epochInfo(event) };
    if (!entry) {
      entry = { bar: this.bars.create(total, value, payload), stage: event.stage };
      this.unitBars.set(unit, entry);
    } else entry.bar.update(value, payload);
  }

  foldDone(result: FoldResult, resumed: boolean): void {
    const unit = `fold ${result.fold}`;
    const entry = this.unitBars.get(unit);
    if (entry) this.bars.remove(entry.bar);
    this.unitBars.delete(unit);
    this.finished++;
    this.overall?.update(this.finished, { info: `${this.finished}/${this.overall.getTotal()} done` });
    this.log(foldSummaryLine(result, resumed));
  }

  stop(): void {
    this.bars.stop();
  }
}
