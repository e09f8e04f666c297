// The test video's colour conversion (the webcam test depends on it).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { i420ToRgb, rgbToI420, writeY4m } from "./helpers/y4m.js";

function solid(r: number, g: number, b: number, width = 4, height = 2): Uint8Array {
  return Uint8Array.from({ length: width * height * 3 }, (_, i) => [r, g, b][i % 3]);
}

describe("y4m", () => {
  it("converts RGB to BT.601 limited-range I420 and back", () => {
    // BT.601 studio swing: black 16/128/128, white 235/128/128, red 81.7/90/240 (rounded).
    expect([...rgbToI420(solid(0, 0, 0), 4, 2)]).toEqual([...Array(8).fill(16), 128, 128, 128, 128]);
    expect([...rgbToI420(solid(255, 255, 255), 4, 2)]).toEqual([...Array(8).fill(235), 128, 128, 128, 128]);
    expect([...rgbToI420(solid(255, 0, 0), 4, 2)]).toEqual([...Array(8).fill(82), 90, 90, 240, 240]);
    for (const color of [[200, 120, 40], [30, 200, 220], [128, 128, 128]]) {
      const back = i420ToRgb(rgbToI420(solid(color[0], color[1], color[2]), 4, 2), 4, 2);
      for (let i = 0; i < back.length; i++) expect(Math.abs(back[i] - color[i % 3])).toBeLessThanOrEqual(3);
    }
    expect(() => rgbToI420(solid(0, 0, 0, 3, 2), 3, 2)).toThrow(/even size/);
  });

  it("writes the YUV4MPEG2 header and one FRAME per frame", async () => {
    const dir = await mkdtemp(join(tmpdir(), "microexp-y4m-"));
    try {
      const frame = { width: 4, height: 2, data: solid(255, 255, 255), channels: 3 as const };
      await writeY4m(join(dir, "v.y4m"), [frame, frame], 30);
      const bytes = await readFile(join(dir, "v.y4m"));
      const header = "YUV4MPEG2 W4 H2 F30:1 Ip A1:1 C420jpeg\n";
      expect(bytes.subarray(0, header.length).toString()).toBe(header);
      expect(bytes.length).toBe(header.length + 2 * ("FRAME\n".length + 12));
      await expect(writeY4m(join(dir, "bad.y4m"), [frame, { ...frame, width: 2, data: solid(0, 0, 0, 2, 2) }], 30)).rejects.toThrow(/frame 1 is 2x2x3/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
