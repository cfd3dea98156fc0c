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
    listenerCount: () => emitter.listenerCount("change"),
  };
}
