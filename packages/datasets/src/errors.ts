/** An error about one file or folder of a dataset; the message always starts with its path. */
export class DatasetError extends Error {
  readonly file: string;

  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = "DatasetError";
    this.file = file;
  }
}
