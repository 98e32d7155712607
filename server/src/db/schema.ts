import type { Generated } from 'kysely';

/** Times are integer milliseconds since the epoch in both SQLite and PostgreSQL, so
 *  one migration set serves both and comparisons need no date parsing. */
export interface UsersTable {
  id: string;
  email: string;
  name: string | null;
  role: 'user' | 'admin';
  passwordHash: string;
  createdAt: number;
  updatedAt: number;
  passwordChangedAt: number;
}

export interface Database {
  users: UsersTable;
}

export type UserRow = UsersTable;
export type { Generated };
