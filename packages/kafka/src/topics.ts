import { topicsToCreate } from "@carebridge/contracts";
import type { TopicConfig } from "./port.ts";

/** Every topic of the contract plus its DLQ twin, as the event log creates them. */
export function contractTopicConfigs(): TopicConfig[] {
  return topicsToCreate().map((t) => ({ ...t }));
}
