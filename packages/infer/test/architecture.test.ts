import { describe, expect, it } from "vitest";
import { allArchitectureIds, describeArchitecture, multiplyAdds, parameterCount, resolveArchitectureId } from "../src/architecture.js";

describe("the candidate family", () => {
  it("has the paper's final MicroExpNet: p12-XXS, 65,000 parameters, about 2.85 M multiply-adds", () => {
    const spec = describeArchitecture("microexpnet");
    expect(spec.id).toBe("p12-XXS");
    expect(spec.flatSize).toBe(1152);
    expect(spec.fc1).toBe(48);
    expect(parameterCount(spec)).toBe(65000);
    expect(multiplyAdds(spec) / 1e6).toBeCloseTo(2.85, 1);
  });

  it("has the v2 original MicroExpNet: v-XXS, 71,368 parameters", () => {
    const spec = describeArchitecture("microexpnet-v2");
    expect(spec.id).toBe("v-XXS");
    expect(spec.conv1.stride).toBe(4);
    expect(spec.flatSize).toBe(3872);
    expect(parameterCount(spec)).toBe(71368);
  });

  it("sizes fc1 by the squeeze coefficient: 256/s without pool2, 768/s with it", () => {
    const widths = allArchitectureIds().map((id) => `${id}:${describeArchitecture(id).fc1}`);
    expect(widths).toEqual([
      "v-M:256", "v-S:64", "v-XS:32", "v-XXS:16", "p1-M:256", "p1-S:64", "p1-XS:32", "p1-XXS:16",
      "p2-M:768", "p2-S:192", "p2-XS:96", "p2-XXS:48", "p12-M:768", "p12-S:192", "p12-XS:96", "p12-XXS:48",
    ]);
  });

  it("rejects unknown names with the list of known ones", () => {
    expect(() => resolveArchitectureId("p3-M")).toThrow(/Unknown architecture "p3-M". Known: microexpnet, microexpnet-v2, v-M/);
    expect(() => describeArchitecture("p12-M", 1)).toThrow(/numClasses/);
  });
});
