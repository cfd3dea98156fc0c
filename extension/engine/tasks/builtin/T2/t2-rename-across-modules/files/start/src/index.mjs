export { fetchUser } from "./user-store.mjs";
export { greetUser } from "./greeter.mjs";
