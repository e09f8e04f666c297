/**
 * Learning-rate schedules, as pure functions of where training is (and, for "plateau", of
 * its saved state), so a resumed run takes the same rates.
 */
export type LearningRateSchedule =
  | { kind: "constant" }
  /** Linear warm-up from 0 over `warmupEpochs`, then cosine decay to `minLearningRate` at the last epoch. */
  | { kind: "cosine"; warmupEpochs?: number; minLearningRate?: number }
  /** Multiplies the rate by `factor` after `patience` epochs without a better validation loss. */
  | { kind: "plateau"; factor?: number; patience?: number; minLearningRate?: number };

export const SCHEDULE_KINDS = ["constant", "cosine", "plateau"] as const;

/** The rate at a point of training (`epoch` counts from 0; `fraction` is how far into it, 0..1). */
export function scheduledRate(schedule: LearningRateSchedule, base: number, epoch: number, fraction: number, epochs: number, plateauRate = base): number {
  switch (schedule.kind) {
    case "constant":
      return base;
    case "plateau":
      return plateauRate;
    case "cosine": {
      const warmup = schedule.warmupEpochs ?? 0;
      const floor = schedule.minLearningRate ?? 0;
      const at = epoch + fraction;
      if (at < warmup) return (base * at) / warmup;
      const span = Math.max(epochs - warmup, 1e-9);
      const progress = Math.min(1, (at - warmup) / span);
      return floor + 0.5 * (base - floor) * (1 + Math.cos(Math.PI * progress));
    }
  }
}

/** Plateau schedule state, kept in checkpoints. */
export interface PlateauState {
  rate: number;
  best: number;
  badEpochs: number;
}

/** The plateau state after an epoch whose validation loss was `loss`. */
export function plateauStep(schedule: Extract<LearningRateSchedule, { kind: "plateau" }>, state: PlateauState, loss: number): PlateauState {
  if (loss < state.best - 1e-4) return { rate: state.rate, best: loss, badEpochs: 0 };
  const bad = state.badEpochs + 1;
  if (bad < (schedule.patience ?? 5)) return { ...state, badEpochs: bad };
  const rate = Math.max(schedule.minLearningRate ?? 0, state.rate * (schedule.factor ?? 0.5));
  return { rate, best: state.best, badEpochs: 0 };
}
