import { InsufficientFundsError } from "./errors.mjs";
import { createLedger } from "./ledger.mjs";

export function createBank(initial = {}) {
  return { balances: new Map(Object.entries(initial)), ledger: createLedger() };
}

export function balance(bank, id) {
  return bank.balances.get(id);
}

export function withdraw(bank, id, cents) {
  const available = bank.balances.get(id);
  if (available < cents) throw new InsufficientFundsError(cents, available);
  bank.balances.set(id, available - cents);
  bank.ledger.record({ kind: "withdraw", from: id, cents });
}
