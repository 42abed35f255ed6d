declare module "kafkajs/src/producer/partitioners/default/murmur2.js" {
  /** kafkajs's murmur2 (used in tests as the reference for our partitioner). */
  const murmur2: (key: string | Buffer) => number;
  export default murmur2;
}
