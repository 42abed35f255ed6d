import type { Executor } from "@carebridge/db";
import { bookableDoctors, type DoctorRecord, doctorsOfSpecialty, findDoctor } from "./doctor-queries.ts";

/**
 * Doctors (with availability) remembered per process, so that bookings and slot searches do not
 * read them on every request. What it may serve stale, and why that is safe:
 * - a booking checks its start against the remembered doctor, then inserts only if the locked row
 *   still equals it (see insertBooking); a refusal is re-checked against a fresh read;
 * - a slot search may show another replica's availability change up to `ttlMs` late (this
 *   process's own `PUT`s forget the doctor at once); a slot shown but no longer valid is refused
 *   when booked.
 */
export interface DoctorCache {
  /** The doctor, remembered or read; `fresh` always reads (and remembers). */
  doctor(db: Executor, id: string, fresh?: boolean): Promise<DoctorRecord | undefined>;
  /** Remembers a doctor as just read from the database. */
  remember(doctor: DoctorRecord): void;
  /** Bookable doctors (of `specialty`, if given), at most `ttlMs` old. */
  bookable(db: Executor, specialty?: string): Promise<readonly DoctorRecord[]>;
  /** Forgets a doctor (and every specialty list) after a change made here. */
  forget(id: string): void;
}

/** Options of {@link createDoctorCache}. */
export interface DoctorCacheOptions {
  /** How long a (specialty's) doctor list is served before it is read again. Default 2000 ms; 0 disables. */
  ttlMs?: number;
  /** Most doctors remembered (oldest dropped first). Default 10 000. */
  maxDoctors?: number;
  now?: () => number;
}

/** Creates an empty cache. */
export function createDoctorCache(options: DoctorCacheOptions = {}): DoctorCache {
  const ttlMs = options.ttlMs ?? 2000;
  const maxDoctors = options.maxDoctors ?? 10_000;
  const now = options.now ?? (() => performance.now());
  const byId = new Map<string, DoctorRecord>();
  const bySpecialty = new Map<string, { doctors: readonly DoctorRecord[]; until: number }>();
  // Bumped by forget(): a read that started before a change must not be remembered after it.
  let generation = 0;

  const remember = (doctor: DoctorRecord) => {
    byId.delete(doctor.id);
    if (byId.size >= maxDoctors) byId.delete(byId.keys().next().value!);
    byId.set(doctor.id, doctor);
  };
  return {
    async doctor(db, id, fresh = false) {
      const known = fresh ? undefined : byId.get(id);
      if (known) return known;
      const started = generation;
      const doctor = await findDoctor(db, id);
      if (doctor && started === generation) remember(doctor);
      return doctor;
    },
    remember,
    async bookable(db, specialty) {
      // "*" for all; a specialty's key starts with "=", so no specialty can collide with it.
      const key = specialty === undefined ? "*" : `=${specialty}`;
      const known = bySpecialty.get(key);
      if (known && known.until > now()) return known.doctors;
      const started = generation;
      const doctors =
        specialty === undefined ? await bookableDoctors(db) : await doctorsOfSpecialty(db, specialty);
      if (ttlMs > 0 && started === generation) {
        if (bySpecialty.size >= 1000) bySpecialty.clear();
        bySpecialty.set(key, { doctors, until: now() + ttlMs });
      }
      return doctors;
    },
    forget(id) {
      generation++;
      byId.delete(id);
      bySpecialty.clear();
    },
  };
}
