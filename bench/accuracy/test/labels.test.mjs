import { loadModel } from "@microexp/infer/node";
import { describe, expect, it } from "vitest";
import { FER_LABELS, ferIndexOfOutputs, ferLabel, ferPrediction } from "../src/labels.mjs";

// face-api's FACE_EXPRESSION_LABELS (src/faceExpressionNet/FaceExpressions.ts), human's gray
// emotion model's annotations (src/gear/emotion.ts), CK+'s order (microexpnet-ckplus-upstream).
const FACE_API = ["neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised"];
const HUMAN = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"];
const CKPLUS = ["neutral", "anger", "contempt", "disgust", "fear", "happy", "sadness", "surprise"];

describe("label mapping", () => {
  it("maps face-api's names and order onto FER2013's", () => {
    const map = ferIndexOfOutputs(FACE_API, "face-api");
    expect(map.map((i) => FER_LABELS[i])).toEqual(["neutral", "happy", "sad", "angry", "fear", "disgust", "surprise"]);
  });

  it("keeps human's gray emotion model and microexp's default weights in FER2013's order", async () => {
    expect(ferIndexOfOutputs(HUMAN, "human")).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const classifier = await loadModel();
    expect(ferIndexOfOutputs(classifier.labels, "microexp")).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("leaves out a class FER2013 does not have (CK+'s contempt)", () => {
    const map = ferIndexOfOutputs(CKPLUS, "ckplus");
    expect(map[2]).toBe(-1);
    expect(ferLabel("contempt")).toBeNull();
    // contempt scores highest, but the FER2013 answer is the best of the others: sadness
    expect(FER_LABELS[ferPrediction([0.1, 0, 0.6, 0, 0, 0, 0.3, 0], map)]).toBe("sad");
  });

  it("refuses a label set that loses or doubles a class", () => {
    expect(() => ferIndexOfOutputs(FACE_API.slice(1), "short")).toThrow(/short: no output for FER2013's "neutral"/);
    expect(() => ferIndexOfOutputs([...HUMAN, "anger"], "twice")).toThrow(/twice: 2 outputs for FER2013's "angry"/);
  });

  it("picks the highest score in the model's order and rejects NaN", () => {
    const map = ferIndexOfOutputs(FACE_API, "face-api");
    expect(FER_LABELS[ferPrediction([0.1, 0.2, 0.05, 0.05, 0.5, 0.05, 0.05], map)]).toBe("fear");
    expect(() => ferPrediction([0.1, NaN, 0, 0, 0, 0, 0], map)).toThrow(/non-finite score NaN at output 1/);
  });
});
