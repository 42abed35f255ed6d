/** A timestamp as the contract's RFC 3339 UTC string, whatever form the driver returned. */
export const isoString = (value: string | Date): string => new Date(value).toISOString();
