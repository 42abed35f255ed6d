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

/** One refund of (part of) a charge. `refundId` is the processor's idempotency key: the same id never refunds twice. */
export interface RefundRequest {
  refundId: string;
  /** The charge refunded: its paymentId (the charge's idempotency key) and the processor's reference. */
  paymentId: string;
  paymentReference: string | null;
  invoiceId: string;
  amountCents: number;
  currency: string;
}

/** A refund the processor carried out. Failures (outcome unknown, or refused for now) are thrown: retried. */
export interface RefundResult {
  reference: string;
}

/** Port to the card processor (outside the platform). */
export interface PaymentProcessor {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<RefundResult>;
}

/** Options of {@link fakePaymentProcessor}. */
export interface FakeProcessorOptions {
  /** A reason to decline this charge, or null to accept it. Default: accept everything. */
  decline?: (request: ChargeRequest) => string | null;
  /** Throw (outcome unknown to the caller) instead of answering; the charge may still have happened. */
  fail?: (request: ChargeRequest) => boolean;
  /** Runs while the charge is in flight (tests: something else happens meanwhile). */
  during?: (request: ChargeRequest) => Promise<void>;
  /** Throw after carrying out this refund (the answer is lost, as in a crash or a timeout). */
  failRefund?: (request: RefundRequest) => boolean;
}

/** The local fake: records charges, idempotent by paymentId like a real processor. */
export interface FakePaymentProcessor extends PaymentProcessor {
  /** Charges that went through, by paymentId. */
  readonly charges: Map<string, ChargeRequest & { reference: string }>;
  /** Every call received, including repeats. */
  readonly calls: ChargeRequest[];
  /** Refunds carried out, by refundId. */
  readonly refunds: Map<string, RefundRequest & { reference: string }>;
  /** Every refund call received, including repeats. */
  readonly refundCalls: RefundRequest[];
}

/** A local, in-memory card processor (the only mock of the service). */
export function fakePaymentProcessor(options: FakeProcessorOptions = {}): FakePaymentProcessor {
  const charges = new Map<string, ChargeRequest & { reference: string }>();
  const answers = new Map<string, ChargeResult>();
  const calls: ChargeRequest[] = [];
  const refunds = new Map<string, RefundRequest & { reference: string }>();
  const refundCalls: RefundRequest[] = [];
  return {
    charges,
    calls,
    refunds,
    refundCalls,
    async refund(request) {
      refundCalls.push(request);
      let done = refunds.get(request.refundId);
      if (!done) {
        // Like a real processor: only a succeeded charge, and never more than was charged.
        const charge = charges.get(request.paymentId);
        if (!charge) throw new Error(`no charge ${request.paymentId} to refund (fake)`);
        const refunded = [...refunds.values()]
          .filter((r) => r.paymentId === request.paymentId)
          .reduce((sum, r) => sum + r.amountCents, 0);
        if (refunded + request.amountCents > charge.amountCents)
          throw new Error(`refunds of ${request.paymentId} would exceed its charge (fake)`);
        done = { ...request, reference: `fake_refund_${crypto.randomUUID()}` };
        refunds.set(request.refundId, done);
      }
      if (options.failRefund?.(request)) throw new Error("processor unreachable (fake)");
      return { reference: done.reference };
    },
    async charge(request) {
      calls.push(request);
      await options.during?.(request);
      const known = answers.get(request.paymentId);
      if (known) {
        // A repeat is answered with the original result, never charged again (unless unreachable again).
        if (options.fail?.(request)) throw new Error("processor unreachable (fake)");
        return known;
      }
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
