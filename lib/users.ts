/** User names are typed by people and shown to everyone: one line of printable text. */
import { type UserError, usageError } from "./errors.ts";

export const maxUserNameLength = 64;

export function validateUserName(name: string): string | UserError {
  const normalized = name.normalize("NFC").trim();
  if (normalized.length === 0) return usageError("user name is empty: give a name others will see");
  if (/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(normalized.replace(/[\u200c\u200d]/g, ""))) {
    return usageError("user name contains control or formatting characters: use printable text");
  }
  if ([...normalized].length > maxUserNameLength) {
    return usageError(`user name is too long: at most ${maxUserNameLength} characters`);
  }
  return normalized;
}
