export function transfer(bank, from, to, cents) {
  throw new Error("not implemented");
}
