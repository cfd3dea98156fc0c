// Knobs of this agent version. Self-improvement may tune them.
export const settings = {
  /** Sampling temperature for every model call. */
  temperature: 0.3,
  /** Most tokens the model may write in one reply. */
  maxReplyTokens: 512,
  /** Characters of one tool result shown to the model; longer output is cut in the middle. */
  maxToolOutputChars: 6000,
  /** Tool results older than this many turns are replaced by a one-line stub to save context. */
  keepFullToolResults: 4,
  /** Rough characters per token, to estimate context use without a tokenizer. */
  charsPerToken: 3.5,
  /** Files listed in the first message, at most. */
  maxListedFiles: 200,
};
