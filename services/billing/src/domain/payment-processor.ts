/** One card charge. `paymentId` is the processor's idempotency key: the same id never charges twice. */
export interface ChargeRequest {
  paymentId: string;
  invoiceId: string;
  amountCents: number;
  currency: string;
  method: "card";
}

/** What the processor answered. Transport failures (outcome unknown) are thrown instead. */
export type ChargeResult =
  | { status: "succeeded"; reference: string }
  | { status: "declined"; reason: string };

/** Port to the card processor (outside the platform). */
export interface PaymentProcessor {
  charge(request: ChargeRequest): Promise<ChargeResult>;
}

/** Options of {@link fakePaymentProcessor}. */
export interface FakeProcessorOptions {
  /** A reason to decline this charge, or null to accept it. Default: accept everything. */
  decline?: (request: ChargeRequest) => string | null;
  /** Throw (outcome unknown to the caller) instead of answering; the charge may still have happened. */
  fail?: (request: ChargeRequest) => boolean;
  /** Runs while the charge is in flight (tests: something else happens meanwhile). */
  during?: (request: ChargeRequest) => Promise<void>;
}

/** The local fake: records charges, idempotent by paymentId like a real processor. */
export interface FakePaymentProcessor extends PaymentProcessor {
  /** Charges that went through, by paymentId. */
  readonly charges: Map<string, ChargeRequest & { reference: string }>;
  /** Every call received, including repeats. */
  readonly calls: ChargeRequest[];
}

/** A local, in-memory card processor (the only mock of the service). */
export function fakePaymentProcessor(options: FakeProcessorOptions = {}): FakePaymentProcessor {
  const charges = new Map<string, ChargeRequest & { reference: string }>();
  const answers = new Map<string, ChargeResult>();
  const calls: ChargeRequest[] = [];
  return {
    charges,
    calls,
    async charge(request) {
      calls.push(request);
      await options.during?.(request);
      const known = answers.get(request.paymentId);
      if (known) return known;
      const reason = options.decline?.(request) ?? null;
      const result: ChargeResult =
        reason === null
          ? { status: "succeeded", reference: `fake_${crypto.randomUUID()}` }
          : { status: "declined", reason };
      answers.set(request.paymentId, result);
      if (result.status === "succeeded")
        charges.set(request.paymentId, { ...request, reference: result.reference });
      if (options.fail?.(request)) throw new Error("processor unreachable (fake)");
      return result;
    },
  };
}
