import {
  type BookingRejectionCode,
  bookingRequestedV1,
  type CloudEvent,
  makeEvent,
  TOPIC,
  uuid,
} from "@carebridge/contracts";
import { type Database, isExclusionViolation, type Tx } from "@carebridge/db";
import {
  type ConsumerHandle,
  type EventLog,
  enqueueEvents,
  PoisonEventError,
  type ReceivedEvent,
  startIdempotentConsumer,
} from "@carebridge/kafka";
import type { Logger } from "pino";
import { lockAndFindReply, type StoredReply, saveReply } from "../db/booking-request-queries.ts";
import { executorRunner } from "../db/booking-statement.ts";
import type { Clock } from "../deps.ts";
import { appointmentEvent, EVENT_SOURCE } from "../domain/appointment-events.ts";
import { BookingRejection, bookAppointment } from "../domain/booking.ts";
import { isStorableText } from "../domain/text.ts";

/** Consumer group serving `appointments.booking-requests`. */
export const BOOKING_REQUESTS_GROUP = "appointments.booking-requests";

const replyEvent = (requestId: string, stored: StoredReply): CloudEvent =>
  stored.replyType === "booking.confirmed"
    ? makeEvent("booking.confirmed", stored.reply as never, {
        source: EVENT_SOURCE,
        correlationId: requestId,
      })
    : makeEvent("booking.rejected", stored.reply as never, {
        source: EVENT_SOURCE,
        correlationId: requestId,
      });

const rejected = (requestId: string, code: BookingRejectionCode, reason: string): StoredReply => ({
  replyType: "booking.rejected",
  reply: { requestId, code, reason },
});

/**
 * Answers one booking request inside the consumer's transaction; returns the events to publish.
 * The same rules as POST /appointments decide; the reply is stored by request id, so a request
 * repeated (even as a new event) gets the same reply and books at most once.
 */
export async function answerBookingRequest(
  tx: Tx,
  event: ReceivedEvent,
  nowMs: number,
): Promise<CloudEvent[]> {
  const raw = event.data as { requestId?: unknown };
  const requestId = uuid.safeParse(raw?.requestId);
  if (!requestId.success)
    throw new PoisonEventError("booking.requested without a valid requestId: no one to answer");
  const id = requestId.data;
  const previous = await lockAndFindReply(tx, id);
  if (previous) return [replyEvent(id, previous)];

  const parsed = bookingRequestedV1.safeParse(event.data);
  let stored: StoredReply;
  const out: CloudEvent[] = [];
  if (!parsed.success) {
    stored = rejected(
      id,
      "invalid_request",
      parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    );
  } else if (parsed.data.reason !== undefined && !isStorableText(parsed.data.reason)) {
    // PostgreSQL cannot store it: answer, rather than fail the batch until it is dead-lettered.
    stored = rejected(id, "invalid_request", "reason: must not contain NUL characters or lone surrogates");
  } else {
    const request = parsed.data;
    try {
      // A savepoint: an exclusion violation must not abort the consumer's whole transaction.
      const appointment = await tx.transaction((sp) =>
        bookAppointment(
          { run: executorRunner(sp), db: sp, transaction: (fn) => fn(sp) },
          {
            patientId: request.patientId,
            doctorId: request.doctorId,
            startMs: Date.parse(request.start),
            mode: request.mode,
            reason: request.reason?.trim() || null,
          },
          { nowMs, checkPatient: true },
        ),
      );
      const { id: appointmentId, patientId, doctorId, specialty, start, end, mode, status } = appointment;
      stored = {
        replyType: "booking.confirmed",
        reply: { requestId: id, appointmentId, patientId, doctorId, specialty, start, end, mode, status },
      };
      out.push(appointmentEvent(appointment, { type: "appointment.booked" }, id));
    } catch (error) {
      if (error instanceof BookingRejection) stored = rejected(id, error.code, error.message);
      else if (isExclusionViolation(error))
        stored = rejected(id, "slot_taken", "The doctor already has an appointment at this time.");
      else throw error;
    }
  }
  await saveReply(tx, id, {
    ...stored,
    appointmentId: stored.replyType === "booking.confirmed" ? String(stored.reply.appointmentId) : null,
  });
  out.push(replyEvent(id, stored));
  return out;
}

/** Serves booking requests: replies on `appointments.booking-replies` with `ce_correlationid` = request id. */
export function startBookingRequestConsumer(options: {
  database: Database;
  log: EventLog;
  logger: Logger;
  clock: Clock;
  fromBeginning?: boolean;
}): Promise<ConsumerHandle> {
  return startIdempotentConsumer({
    groupId: BOOKING_REQUESTS_GROUP,
    topics: [TOPIC.bookingRequests],
    log: options.log,
    database: options.database,
    logger: options.logger,
    fromBeginning: options.fromBeginning ?? true,
    // Invalid requests are answered with `invalid_request`, not dead-lettered.
    validate: () => null,
    // Each booking holds its doctor's row lock until the batch commits: keep batches short so
    // HTTP bookings of the same doctors do not wait long. (Two partitions locking the same doctors
    // in another order can deadlock; the consumer retries such infrastructure errors.)
    maxBatchSize: 100,
    async handleBatch(tx, events) {
      const out: CloudEvent[] = [];
      for (const event of events) {
        if (event.type !== "booking.requested") continue;
        out.push(...(await answerBookingRequest(tx, event, options.clock())));
      }
      await enqueueEvents(tx, out);
    },
  });
}
