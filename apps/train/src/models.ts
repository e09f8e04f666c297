// Which networks can be trained: models' registry (family members by id or alias, and the other networks).
import { findNetwork, registeredNetworkNames, registeredNetworks } from "@microexp/models";
import { UsageError } from "./errors.js";

/** A trainable network's name, checked against the registry. */
export function checkModel(name: string, option: "--model" | "--teacher"): string {
  if (findNetwork(name)) return name;
  throw new UsageError(`${option} ${name}: unknown model; known: ${registeredNetworkNames().join(", ")}`);
}

/** A network's canonical name ("microexpnet" -> "p12-XXS"); unknown names unchanged. */
export function architectureOf(name: string): string {
  return findNetwork(name)?.name ?? name;
}

/** The networks outside the paper's family (dsnet, vgg-small, ...), for help texts. */
export function otherNetworkNames(): string[] {
  return registeredNetworks().filter((entry) => !entry.family).map((entry) => entry.name);
}
