import test from "node:test";
import assert from "node:assert/strict";
import { balance, createBank, withdraw } from "../bank/accounts.mjs";
import { InsufficientFundsError, UnknownAccountError } from "../bank/errors.mjs";
import { transfer } from "../bank/transfer.mjs";

test("successful transfer", () => {
  const bank = createBank({ a: 1000, b: 50 });
  transfer(bank, "a", "b", 300);
  assert.equal(balance(bank, "a"), 700);
  assert.equal(balance(bank, "b"), 350);
  assert.deepEqual(bank.ledger.entries(), [{ kind: "transfer", from: "a", to: "b", cents: 300 }]);
});

test("insufficient funds changes nothing", () => {
  const bank = createBank({ a: 100, b: 0 });
  assert.throws(() => transfer(bank, "a", "b", 101), (error) => {
    assert.ok(error instanceof InsufficientFundsError);
    assert.equal(error.name, "InsufficientFundsError");
    assert.equal(error.needed, 101);
    assert.equal(error.available, 100);
    return true;
  });
  assert.equal(balance(bank, "a"), 100);
  assert.equal(balance(bank, "b"), 0);
  assert.deepEqual(bank.ledger.entries(), []);
});

test("unknown accounts", () => {
  const bank = createBank({ a: 100 });
  assert.throws(() => transfer(bank, "a", "zz", 10), UnknownAccountError);
  assert.throws(() => transfer(bank, "zz", "a", 10), (e) => e instanceof UnknownAccountError && e.name === "UnknownAccountError");
  assert.equal(balance(bank, "a"), 100);
  assert.deepEqual(bank.ledger.entries(), []);
});

test("bad amounts", () => {
  const bank = createBank({ a: 100, b: 0 });
  for (const bad of [0, -5, 1.5, Number.NaN]) assert.throws(() => transfer(bank, "a", "b", bad), RangeError);
});

test("withdraw uses InsufficientFundsError", () => {
  const bank = createBank({ a: 10 });
  assert.throws(() => withdraw(bank, "a", 11), InsufficientFundsError);
  withdraw(bank, "a", 4);
  assert.equal(balance(bank, "a"), 6);
});
