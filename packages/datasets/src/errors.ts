/** An error about one file or folder of a dataset; the message always starts with its path. */
export class DatasetError extends Error {
  readonly file: string;

  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = "DatasetError";
    this.file = file;
  }
}

// `instanceof DatasetError` holds for errors of any copy of this package (its ES module and its
// CommonJS build loaded side by side): the check is a global symbol, as @microexp/infer's
// recogniseAcrossCopies does for the other packages (this one depends on nothing).
const brand = Symbol.for("@microexp/datasets:DatasetError");
Object.defineProperty(DatasetError.prototype, brand, { value: true });
Object.defineProperty(DatasetError, Symbol.hasInstance, { value: (value: unknown) => typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true });
