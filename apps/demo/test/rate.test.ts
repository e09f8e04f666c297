import { describe, expect, it } from "vitest";
import { RateMeter } from "../src/web/rate.js";

describe("RateMeter", () => {
  it("counts events per second over its window", () => {
    const meter = new RateMeter(1000);
    expect(meter.rate()).toBe(0);
    for (let t = 0; t <= 2000; t += 25) meter.tick(t); // 40 per second
    expect(meter.rate()).toBeCloseTo(40, 9);
    meter.tick(3500); // a pause: only the events of the last second count
    expect(meter.rate()).toBe(0);
    meter.tick(3600);
    expect(meter.rate()).toBeCloseTo(1000 / 100, 9);
    meter.reset();
    expect(meter.rate()).toBe(0);
  });
});
