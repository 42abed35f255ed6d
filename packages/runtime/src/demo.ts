/** The contract's demo accounts, seeded idempotently by both local stacks. */
export const DEMO_PASSWORD = "demo-password-1";

export interface DemoAccount {
  email: string;
  name: string;
  role: "admin" | "analyst" | "doctor" | "patient";
  doctor?: {
    specialty: string;
    timeZone: string;
    weekdays: number[];
    start: string;
    end: string;
    slotMinutes: number;
  };
  insurancePlan?: "none" | "basic" | "plus" | "premium";
}

const weekdays = [1, 2, 3, 4, 5];

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { email: "admin@example.com", name: "Ada Admin", role: "admin" },
  { email: "analyst@example.com", name: "Ana Analyst", role: "analyst" },
  {
    email: "doctor.general@example.com",
    name: "Dr. Greta General",
    role: "doctor",
    doctor: {
      specialty: "General Practice",
      timeZone: "Europe/Berlin",
      weekdays,
      start: "09:00",
      end: "17:00",
      slotMinutes: 30,
    },
  },
  {
    email: "doctor.cardiology@example.com",
    name: "Dr. Carl Cardio",
    role: "doctor",
    doctor: {
      specialty: "Cardiology",
      timeZone: "America/New_York",
      weekdays,
      start: "08:00",
      end: "16:00",
      slotMinutes: 30,
    },
  },
  {
    email: "doctor.dermatology@example.com",
    name: "Dr. Dana Derm",
    role: "doctor",
    doctor: {
      specialty: "Dermatology",
      timeZone: "Asia/Tokyo",
      weekdays: [1, 2, 3, 4, 5, 6],
      start: "10:00",
      end: "18:00",
      slotMinutes: 20,
    },
  },
  { email: "patient@example.com", name: "Pat Patient", role: "patient", insurancePlan: "basic" },
];

/** The table printed when a stack starts; `seeded` says whether a mounted auth service seeded them. */
export function demoAccountsTable(seeded: boolean): string {
  const rows = DEMO_ACCOUNTS.map(
    (a) =>
      `  ${a.email.padEnd(32)} ${a.role.padEnd(8)} ${a.doctor?.specialty ?? (a.insurancePlan ? `plan ${a.insurancePlan}` : "")}`,
  );
  const heading = seeded
    ? `Demo accounts (password for all: ${DEMO_PASSWORD}):`
    : "Demo accounts (not seeded yet: services/auth is not mounted):";
  return [heading, ...rows].join("\n");
}
