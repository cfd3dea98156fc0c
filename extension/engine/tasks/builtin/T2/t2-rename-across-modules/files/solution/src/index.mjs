export { loadUser } from "./user-store.mjs";
export { greetUser } from "./greeter.mjs";
