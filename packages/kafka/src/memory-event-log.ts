import { committableCount, deliverableTo } from "./delivery.ts";
import { partitionForKey } from "./partitioner.ts";
import type {
  Batch,
  BatchHandler,
  ConsumedMessage,
  ConsumeOptions,
  ConsumerHandle,
  EventLog,
  ProduceRecord,
  TopicConfig,
} from "./port.ts";
import { backoffDelay, sleep } from "./retry.ts";

interface Member {
  id: number;
  options: ConsumeOptions;
  handler: BatchHandler;
  assigned: string[];
  running: boolean;
  /** Bumped on every rebalance; a batch started under an older generation is no longer active. */
  generation: number;
  inFlight: Promise<void> | null;
  wake: () => void;
  done: Promise<void>;
}

interface Group {
  committed: Map<string, number>;
  members: Member[];
  generation: number;
}

const partitionId = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const splitId = (id: string): [string, number] => {
  const [topic, partition] = id.split("\u0000");
  return [topic!, Number(partition)];
};

/**
 * In-memory event log with Kafka semantics: topics, partitions by key hash, consumer groups with
 * committed offsets, rebalancing when members join or leave, redelivery of failed batches.
 * Used by the embedded stack (`bun run dev`) and unit tests; one process only, nothing persisted.
 */
export function memoryEventLog(
  options: { defaultPartitions?: number; retryBackoffMs?: number } = {},
): EventLog {
  const topics = new Map<string, ConsumedMessage[][]>();
  const groups = new Map<string, Group>();
  const retryBackoffMs = options.retryBackoffMs ?? 50;
  let nextMemberId = 1;
  let closed = false;

  const wakeAll = () => {
    for (const group of groups.values()) for (const member of group.members) member.wake();
  };

  const partitionsOf = (topic: string) => {
    const partitions = topics.get(topic);
    if (!partitions) throw new Error(`Unknown topic: ${topic}`);
    return partitions;
  };

  /** Stop-the-world rebalance: wait for batches in flight, then assign partitions round-robin. */
  const rebalance = async (group: Group) => {
    group.generation++;
    const generation = group.generation;
    for (const member of group.members) member.generation = -1;
    await Promise.all(group.members.map((m) => m.inFlight));
    if (generation !== group.generation) return; // a newer rebalance took over
    const members = [...group.members].sort((a, b) => a.id - b.id);
    for (const member of members) member.assigned = [];
    const wanted = new Set(members.flatMap((m) => m.options.topics));
    const all = [...wanted]
      .sort()
      .flatMap((topic) => partitionsOf(topic).map((_, p) => partitionId(topic, p)));
    all.forEach((id, index) => {
      const [topic] = splitId(id);
      const candidates = members.filter((m) => m.options.topics.includes(topic));
      const owner = candidates[index % candidates.length];
      if (owner) owner.assigned.push(id);
    });
    for (const member of members) {
      for (const id of member.assigned) {
        if (!group.committed.has(id) && member.options.fromBeginning === false) {
          const [topic, partition] = splitId(id);
          group.committed.set(id, partitionsOf(topic)[partition]!.length);
        }
      }
      member.generation = generation;
      member.options.onAssigned?.();
      member.wake();
    }
  };

  const runMember = async (group: Group, member: Member) => {
    const failures = new Map<string, number>();
    while (member.running) {
      let worked = false;
      const assigned = member.assigned;
      for (const id of assigned) {
        // A rebalance hands out new lists: never go on with partitions this member may have lost.
        if (!member.running || member.generation !== group.generation || member.assigned !== assigned) break;
        const [topic, partition] = splitId(id);
        const log = partitionsOf(topic)[partition]!;
        const from = group.committed.get(id) ?? 0;
        if (from >= log.length) continue;
        const fetched = log.slice(from, from + (member.options.maxBatchSize ?? 500));
        const messages = deliverableTo(member.options.groupId, fetched);
        if (messages.length === 0) {
          group.committed.set(id, from + fetched.length);
          continue;
        }
        worked = true;
        const batch: Batch = { topic, partition, messages };
        const generation = member.generation;
        const isActive = () =>
          member.running && member.generation === generation && generation === group.generation;
        const attempt = member.handler(batch, { heartbeat: async () => {}, isActive });
        member.inFlight = attempt.then(
          () => {},
          () => {},
        );
        try {
          const commit = committableCount(fetched, messages, await attempt);
          if (generation === group.generation) group.committed.set(id, from + commit);
          failures.delete(id);
          if (commit === 0) worked = false; // nothing taken: wait before offering it again
        } catch {
          const n = (failures.get(id) ?? 0) + 1;
          failures.set(id, n);
          await sleep(backoffDelay(n, { initialMs: retryBackoffMs, maxMs: 2_000 }));
          break; // the assignment may have changed meanwhile: start over from the current one
        } finally {
          member.inFlight = null;
        }
      }
      if (!worked && member.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 250);
          member.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  };

  return {
    kind: "memory",

    async createTopics(configs: TopicConfig[]) {
      for (const config of configs) {
        if (!topics.has(config.name)) {
          topics.set(
            config.name,
            Array.from({ length: config.partitions || options.defaultPartitions || 3 }, () => []),
          );
        }
      }
    },

    async send(records: ProduceRecord[]) {
      if (closed) throw new Error("Event log is closed");
      for (const record of records) {
        const partitions = partitionsOf(record.topic);
        const partition = partitionForKey(record.key, partitions.length);
        const log = partitions[partition]!;
        log.push({
          ...record,
          headers: { ...record.headers },
          partition,
          offset: String(log.length),
          timestamp: Date.now(),
        });
      }
      wakeAll();
    },

    async consume(consumeOptions: ConsumeOptions, handler: BatchHandler): Promise<ConsumerHandle> {
      for (const topic of consumeOptions.topics) partitionsOf(topic);
      let group = groups.get(consumeOptions.groupId);
      if (!group) {
        group = { committed: new Map(), members: [], generation: 0 };
        groups.set(consumeOptions.groupId, group);
      }
      const member: Member = {
        id: nextMemberId++,
        options: consumeOptions,
        handler,
        assigned: [],
        running: true,
        generation: -1,
        inFlight: null,
        wake: () => {},
        done: Promise.resolve(),
      };
      group.members.push(member);
      await rebalance(group);
      const owningGroup = group;
      member.done = runMember(owningGroup, member);
      return {
        async stop() {
          if (!member.running) return;
          member.running = false;
          member.wake();
          await member.done;
          owningGroup.members = owningGroup.members.filter((m) => m !== member);
          await rebalance(owningGroup);
        },
      };
    },

    async endOffsets(topic: string) {
      return new Map(partitionsOf(topic).map((log, p) => [p, String(log.length)]));
    },

    async committedOffsets(groupId: string, topic: string) {
      const result = new Map<number, string>();
      for (const [id, offset] of groups.get(groupId)?.committed ?? []) {
        const [t, p] = splitId(id);
        if (t === topic) result.set(p, String(offset));
      }
      return result;
    },

    async ping() {
      if (closed) throw new Error("Event log is closed");
    },

    async close() {
      closed = true;
      const members = [...groups.values()].flatMap((g) => g.members);
      for (const member of members) {
        member.running = false;
        member.wake();
      }
      await Promise.all(members.map((m) => m.done));
    },
  };
}
