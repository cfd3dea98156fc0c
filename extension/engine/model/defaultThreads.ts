// How many CPU threads llama.cpp gets when the user leaves `threads` at 0.
//
// Measured on the 2-core development VM (no GPU, load average ~1 from other work), node-llama-cpp
// 3.22.1, stories260K F32, 205-token prompt then 200 generated tokens, two rounds each:
//   threads=1: prompt 2,762 / 2,774 tok/s, generation 716 / 667 tok/s
//   threads=2: prompt 4,689 / 4,359 tok/s, generation    81 /  80 tok/s
// With both cores asked for, llama.cpp's threads spin-wait on each other while something else holds
// a core, and generation (what an agent mostly does) collapses ~8x. So a machine with 2 or fewer
// cores gets 1 thread. Bigger machines keep one core free for the editor, the engine and the agent
// processes (not measured here: no such machine was available).

/** The default thread count for a machine with `mathCores` cores useful for math. */
export function defaultThreads(mathCores: number): number {
  if (!Number.isFinite(mathCores) || mathCores <= 2) return 1;
  return Math.floor(mathCores) - 1;
}

/** `requested` if set (> 0), else the measured default. */
export function resolveThreads(requested: number | undefined, mathCores: number): number {
  return requested !== undefined && requested > 0 ? Math.floor(requested) : defaultThreads(mathCores);
}
