/**
 * The paper's results (MicroExpNet v4, 10-fold cross-validation, accuracy in %), as given in
 * the team's summary of the paper (MICROEXP_PAPER, default ../shared/PAPER.md, "Results to reproduce"):
 * the sweep prints them beside ours.
 */
export const PAPER_VARIANTS = ["v", "p1", "p2", "p12"] as const;
export const PAPER_SIZES = ["M", "S", "XS", "XXS"] as const;
export type PaperVariant = (typeof PAPER_VARIANTS)[number];
export type PaperSize = (typeof PAPER_SIZES)[number];
export type PaperDataset = "ckplus" | "oulu";
export type PaperProtocol = "random" | "subject";

type SizeRow = Record<PaperSize, number>;
type FamilyTable = Record<PaperVariant, SizeRow>;

/** Architecture search, vanilla training (no distillation), by protocol, dataset, variant and size. */
export const PAPER_FAMILY: Record<PaperProtocol, Record<PaperDataset, FamilyTable>> = {
  random: {
    ckplus: {
      v: { M: 97.93, S: 96.65, XS: 93.41, XXS: 81.91 },
      p1: { M: 97.99, S: 96.73, XS: 91.85, XXS: 69.05 },
      p2: { M: 97.41, S: 94.09, XS: 86.84, XXS: 77.74 },
      p12: { M: 97.39, S: 94.39, XS: 88.07, XXS: 78.52 },
    },
    oulu: {
      v: { M: 97.68, S: 92.95, XS: 88.73, XXS: 73.64 },
      p1: { M: 97.79, S: 93.22, XS: 80.16, XXS: 52.99 },
      p2: { M: 96.64, S: 88.61, XS: 77.88, XXS: 66.84 },
      p12: { M: 97.47, S: 88.72, XS: 77.04, XXS: 61.71 },
    },
  },
  subject: {
    ckplus: {
      v: { M: 81.23, S: 79.73, XS: 77.14, XXS: 71.36 },
      p1: { M: 81.57, S: 81.25, XS: 77.14, XXS: 67.04 },
      p2: { M: 78.77, S: 78.75, XS: 78.42, XXS: 76.91 },
      p12: { M: 79.95, S: 79.71, XS: 79.78, XXS: 78.44 },
    },
    oulu: {
      v: { M: 60.87, S: 58.18, XS: 53.73, XXS: 44.33 },
      p1: { M: 62.46, S: 59.49, XS: 53.41, XXS: 34.04 },
      p2: { M: 60.21, S: 57.37, XS: 57.51, XXS: 54.62 },
      p12: { M: 60.53, S: 57.25, XS: 57.54, XXS: 55.03 },
    },
  },
};

/** Without vs with distillation: p12 family, subject-independent split, 3000 epochs. */
export const PAPER_KD: Record<PaperDataset, { vanilla: SizeRow; distilled: SizeRow }> = {
  ckplus: {
    vanilla: { M: 78.79, S: 78.55, XS: 77.22, XXS: 75.25 },
    distilled: { M: 83.02, S: 84.53, XS: 84.18, XXS: 84.75 },
  },
  oulu: {
    vanilla: { M: 56.81, S: 55.53, XS: 54.67, XXS: 56.7 },
    distilled: { M: 63.8, S: 61.99, XS: 61.76, XXS: 62.69 },
  },
};

/** The temperature grid; the paper reports only that the best T varies by size (CK+ XXS: near T = 8). */
export const PAPER_TEMPERATURES = [2, 4, 8, 16, 20, 32, 64] as const;
export const PAPER_TEMPERATURE_NOTE = "The paper gives no table of accuracy per temperature: only that the best T varies with the size (CK+, XXS: best near T = 8).";

/** How the paper trained: the settings its tables assume. */
export const PAPER_SETTINGS = {
  epochs: 3000,
  learningRate: 1e-4,
  batchSize: 64,
  temperature: 8,
  lambda: 0.5,
  folds: 10,
  note: "CK+ in the paper has 8 classes (with neutral) and 1,574 images; Oulu-CASIA 6 classes and 1,440 images (VIS, strong light).",
} as const;
