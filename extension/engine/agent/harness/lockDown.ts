// What Node's permission model (Node 20–22) does not confine, closed inside the agent process
// before a version's code is loaded: sending signals (process.kill could stop or kill the engine,
// VS Code or any process of the user) and the network (sockets, UDP, DNS — exfiltration). The
// originals are replaced by non-writable, non-configurable functions that throw; the bindings
// behind them (process.binding, internalBinding) are already closed by the permission model.
// Defence in depth, not a kernel boundary: see RELIABILITY.md.
import dgram from "node:dgram";
import dns from "node:dns";
import net from "node:net";

function denied(what: string): () => never {
  return () => {
    throw Object.assign(new Error(`${what} is not allowed in an agent process.`), { code: "ERR_ACCESS_DENIED" });
  };
}

function seal(target: object, name: string, what: string): void {
  Object.defineProperty(target, name, { value: denied(what), writable: false, configurable: false, enumerable: false });
}

export function lockDown(): void {
  seal(process, "kill", "Sending signals");
  seal(process, "_kill", "Sending signals");
  seal(net.Socket.prototype, "connect", "Network access");
  seal(net.Server.prototype, "listen", "Network access");
  seal(dgram.Socket.prototype, "send", "Network access");
  seal(dgram.Socket.prototype, "bind", "Network access");
  for (const target of [dns, dns.promises, dns.Resolver.prototype, dns.promises.Resolver.prototype] as object[]) {
    for (const name of Object.getOwnPropertyNames(target)) if (/^(lookup|resolve|reverse)/.test(name)) seal(target, name, "Network access (DNS)");
  }
}
