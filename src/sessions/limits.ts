/** Sizes of what agents write to a shared session; longer input is refused naming the limit (README: Limits). */
export const SESSION_LIMITS = {
  /** A task, finding, decision, checkpoint, message, evidence value or diary entry. */
  valueChars: 2000,
  /** An id (session, task, handoff) or an evidence key. */
  idChars: 128,
  /** An export handed back to `import` (ctx_session, ctx_handoff). */
  importChars: 1024 * 1024,
  /** A custom workflow spec as JSON. */
  specChars: 16 * 1024,
  /** States of one workflow spec, and tools named by one state. */
  specStates: 32,
  specTools: 100,
  /** Paths one ctx_handoff or ctx_share call names. */
  paths: 20,
  /** Bytes of one file pushed with ctx_share. */
  shareFileBytes: 256 * 1024,
  /** The snapshot made to be re-injected after a client compacts its context. */
  snapshotBytes: 2048,
  /** Entries one listing returns (messages, tasks, handoffs, diary). */
  listItems: 50,
} as const;
