// Knobs of this agent version. Self-improvement may tune them.
export const settings = {
  /** Sampling temperature for every model call. */
  temperature: 0.3,
  /**
   * Most tokens the model may write in one reply: enough for write_file with a whole file of this
   * scaffold (the largest is ~1,000 tokens, more once escaped as JSON). Never more than
   * maxReplyShare of the context, so a small context still leaves room for the conversation.
   */
  maxReplyTokens: 3072,
  /** Share of the context one reply may take at most. */
  maxReplyShare: 0.375,
  /** Characters of one tool result shown to the model; longer output is cut in the middle. */
  maxToolOutputChars: 6000,
  /** Tool results older than this many turns are replaced by a one-line stub to save context. */
  keepFullToolResults: 4,
  /** Characters per token before the first reply; afterwards measured from the host's real prompt token counts. */
  charsPerToken: 3.5,
  /** Files listed in the first message, at most. */
  maxListedFiles: 200,
  /**
   * Extra attempts after a failed one: when the agent calls finish and the task's tests fail, it is
   * shown their output and tries again (RISE-style self-correction; 0 = finish ends the run).
   */
  extraAttempts: 0,
};
