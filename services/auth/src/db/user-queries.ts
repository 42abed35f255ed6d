import type { Executor } from "@carebridge/db";
import { eq } from "drizzle-orm";
import { users } from "./schema.ts";

/** A user as the API shows it. */
export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: "patient" | "doctor" | "analyst" | "admin";
}

/** A user with the password hash, for sign-in. */
export type StoredUser = PublicUser & { passwordHash: string };

const publicColumns = { id: users.id, email: users.email, name: users.name, role: users.role };

/** Inserts a user (email must already be lower-case); throws a unique violation on a taken email. */
export async function insertUser(db: Executor, user: StoredUser): Promise<PublicUser> {
  const [row] = await db.insert(users).values(user).returning(publicColumns);
  if (!row) throw new Error("insert returned no row");
  return row;
}

/** The user with this (lower-case) email, with its hash. */
export async function findUserByEmail(db: Executor, email: string): Promise<StoredUser | undefined> {
  const [row] = await db
    .select({ ...publicColumns, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.email, email));
  return row;
}

/** The user with this id. */
export async function findUserById(db: Executor, id: string): Promise<PublicUser | undefined> {
  const [row] = await db.select(publicColumns).from(users).where(eq(users.id, id));
  return row;
}
