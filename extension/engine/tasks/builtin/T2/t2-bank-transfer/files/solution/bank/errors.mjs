// Domain errors for the bank live here.
export class UnknownAccountError extends Error {
  constructor(id) {
    super("unknown account " + id);
    this.name = "UnknownAccountError";
    this.account = id;
  }
}

export class InsufficientFundsError extends Error {
  constructor(needed, available) {
    super("insufficient funds: needed " + needed + ", available " + available);
    this.name = "InsufficientFundsError";
    this.needed = needed;
    this.available = available;
  }
}
