// The registry of trainable networks: names and aliases resolve, an unknown name lists the
// known ones, and what each entry declares (exportable, input size, graph) is what its built
// network really is.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { allArchitectureIds, analyzeGraph, architectureGraph, INPUT_SIZE } from "@microexp/infer";
import {
  findNetwork, graphFromModel, GraphExportError, isFamilyMember, registeredNetwork, registeredNetworkNames, registeredNetworks, UnknownNetworkError,
} from "../src/index.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("registry", () => {
  it("holds every family member and the other networks, once each", () => {
    const names = registeredNetworks().map((entry) => entry.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([...allArchitectureIds(), "dsnet", "dsnet-wide", "vgg-small", "inception-v3"]);
    expect(registeredNetworkNames()).toContain("microexpnet");
  });

  it("resolves aliases to the family id and tells family members apart", () => {
    expect(registeredNetwork("microexpnet").name).toBe("p12-XXS");
    expect(isFamilyMember("microexpnet")).toBe(true);
    expect(isFamilyMember("p1-M")).toBe(true);
    expect(isFamilyMember("dsnet")).toBe(false);
    expect(isFamilyMember("resnet-9000")).toBe(false);
    expect(findNetwork("resnet-9000")).toBeUndefined();
  });

  it("names the known networks when asked for an unknown one", () => {
    expect(() => registeredNetwork("resnet-9000")).toThrow(UnknownNetworkError);
    expect(() => registeredNetwork("resnet-9000")).toThrow(/Unknown network "resnet-9000". Known: microexpnet, .*p12-XXS, dsnet, dsnet-wide, vgg-small, inception-v3/);
  });

  it("refuses the family's input options for networks outside the family", () => {
    expect(() => registeredNetwork("dsnet").build({ numClasses: 7, inputScale: 1 / 255 })).toThrow(/inputScale and biasStddev set up family members; dsnet/);
  });

  it("declares exportable exactly the networks whose built graph the runtime takes, with the declared input size", () => {
    for (const entry of registeredNetworks().filter((e) => !e.family || e.name === "p12-XXS")) {
      const model = entry.build({ numClasses: 7, seed: 1 });
      try {
        expect(model.inputs[0].shape, entry.name).toEqual([null, entry.inputSize, entry.inputSize, 1]);
        let exported = true;
        try {
          graphFromModel(model, { name: entry.name });
        } catch (error) {
          if (!(error instanceof GraphExportError)) throw error;
          exported = false;
        }
        expect(exported, entry.name).toBe(entry.exportable);
        if (entry.exportable) expect(entry.graph(7).inputSize, entry.name).toBe(INPUT_SIZE);
        else expect(() => entry.graph(7), entry.name).toThrow(GraphExportError);
      } finally {
        model.dispose();
      }
    }
  });

  it("describes dsnet and dsnet-wide with the sizes their graphs have", () => {
    // The descriptions' "~80 k weights, ~9.5 M" and "~124 k, ~14 M" are these counts, rounded.
    const dsnet = analyzeGraph(registeredNetwork("dsnet").graph(7));
    const wide = analyzeGraph(registeredNetwork("dsnet-wide").graph(7));
    expect([dsnet.parameterCount, Math.round(dsnet.multiplyAdds / 1e5) / 10]).toEqual([80951, 9.5]);
    expect([wide.parameterCount, Math.round(wide.multiplyAdds / 1e5) / 10]).toEqual([124151, 14.0]);
    expect(registeredNetwork("dsnet-wide").graph(7).name).toBe("dsnet-wide");
  });

  it("gives a family member's graph with the authors' tensor names", () => {
    expect(registeredNetwork("p2-S").graph(8)).toEqual(architectureGraph("p2-S", 8));
  });
});
