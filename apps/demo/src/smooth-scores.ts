// Per-face averaging of the expression scores over a video's frames. The network's answer
// moves with every pixel the face box shifts, so frame by frame the top label flickers; an
// exponential moving average per followed face keeps it readable.
import type { LabelledFace } from "./analyze.js";

export class ScoreSmoother {
  private readonly averages = new Map<number, Float64Array>();

  /** `weight`: the share of the newest frame in the average (1 = no smoothing). */
  constructor(private readonly weight = 0.4) {
    if (!(weight > 0 && weight <= 1)) throw new RangeError(`ScoreSmoother: weight must be in (0, 1], got ${weight}`);
  }

  /** The faces of the next frame with averaged scores; `ids[i]` names the face faces[i] is. */
  smooth(faces: readonly LabelledFace[], ids: readonly number[]): LabelledFace[] {
    if (ids.length !== faces.length) throw new RangeError(`ScoreSmoother: ${faces.length} faces but ${ids.length} ids`);
    const seen = new Set(ids);
    for (const id of this.averages.keys()) if (!seen.has(id)) this.averages.delete(id);
    return faces.map((face, i) => {
      let average = this.averages.get(ids[i]);
      if (!average || average.length !== face.scores.length) {
        average = Float64Array.from(face.scores, (s) => s.probability);
        this.averages.set(ids[i], average);
      } else {
        for (let k = 0; k < average.length; k++) average[k] += this.weight * (face.scores[k].probability - average[k]);
      }
      let best = 0;
      for (let k = 1; k < average.length; k++) if (average[k] > average[best]) best = k;
      return {
        box: face.box,
        label: face.scores[best].label,
        probability: average[best],
        scores: face.scores.map((s, k) => ({ label: s.label, probability: average[k] })),
      };
    });
  }

  reset(): void {
    this.averages.clear();
  }
}
