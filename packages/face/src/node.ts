// @microexp/face/node: the Node-only parts (file system and sharp).
import type { FaceBox } from "@microexp/infer";
import { readFile } from "node:fs/promises";
import { compileCascade, type Cascade } from "./cascade/compile.js";
import { parseCascadeXml } from "./cascade/parse-xml.js";
import { loadCascade } from "./cascade/shipped.js";
import { prepareKernel } from "./detect/kernel.js";
import { decodeImageFile } from "./node/decode.js";
import { paperFaceCrops, type FacePick } from "./paper-face.js";

export { ImageDecodeError, decodeImage, decodeImageFile, type DecodedImage } from "./node/decode.js";

/** What cropsFromFile returns: the paper's crops of the face found in one file. */
export interface FileCrops {
  readonly path: string;
  /** Size of the decoded image. */
  readonly width: number;
  readonly height: number;
  /** The face box, or null when no face was found and the whole image was used. */
  readonly box: FaceBox | null;
  /** The 84*84 inference input (raw 0..255 floats). */
  readonly input: Float32Array;
  /** The 8 training crops, TRAINING_CROP_OFFSETS order, 84*84 each. */
  readonly training: Float32Array[];
}

/**
 * File -> decode -> detect (the paper's haarcascade_frontalface_default, scaleFactor 1.3,
 * minNeighbors 5, the largest face) -> 84x84 float crops. Pass `cascade` to use another
 * detector, `pick: "first"` for the first face as the paper's code.
 */
export async function cropsFromFile(path: string, options: { cascade?: Cascade; pick?: FacePick } = {}): Promise<FileCrops> {
  const [image, cascade] = await Promise.all([decodeImageFile(path), options.cascade ?? loadCascade()]);
  const { box, input, training } = paperFaceCrops(image, cascade, { pick: options.pick });
  return { path, width: image.width, height: image.height, box, input, training };
}

/**
 * Reads, checks and compiles an OpenCV cascade XML file (any cascade parseCascadeXml reads);
 * every error names the file.
 */
export async function loadCascadeFile(path: string): Promise<Cascade> {
  let xml: string;
  try {
    xml = await readFile(path, "utf8");
  } catch (error) {
    throw new Error(`${path}: cannot read the cascade file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const cascade = compileCascade(parseCascadeXml(xml, path));
  await prepareKernel(); // as loadCascade: the detector's WebAssembly kernel ready for it
  return cascade;
}
