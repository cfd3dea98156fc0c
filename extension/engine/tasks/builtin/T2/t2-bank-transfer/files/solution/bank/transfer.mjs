import { InsufficientFundsError, UnknownAccountError } from "./errors.mjs";

export function transfer(bank, from, to, cents) {
  if (!Number.isInteger(cents) || cents <= 0) throw new RangeError("cents must be a positive integer");
  for (const id of [from, to]) if (!bank.balances.has(id)) throw new UnknownAccountError(id);
  const available = bank.balances.get(from);
  if (available < cents) throw new InsufficientFundsError(cents, available);
  bank.balances.set(from, available - cents);
  bank.balances.set(to, bank.balances.get(to) + cents);
  bank.ledger.record({ kind: "transfer", from, to, cents });
}
