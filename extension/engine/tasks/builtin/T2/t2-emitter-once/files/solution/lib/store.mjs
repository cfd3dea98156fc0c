import { Emitter } from "./emitter.mjs";

export function createStore(initial) {
  let state = initial;
  const emitter = new Emitter();
  return {
    get: () => state,
    set(next) {
      state = next;
      emitter.emit("change", state);
    },
    subscribe: (listener) => emitter.on("change", listener),
    nextChange: () => new Promise((resolve) => emitter.once("change", resolve)),
    listenerCount: () => emitter.listenerCount("change"),
  };
}
