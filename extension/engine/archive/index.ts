// Public surface of the archive module: the Archive (event log + git repository of agent versions),
// its records and events, and the pieces its tooling reuses (log reading, check, synthetic logs).
export { Archive, type ArchiveOpenOptions } from "./archive";
export { ArchiveReader, type NodeDiff } from "./archiveReader";
export { archivePaths, type ArchivePaths } from "./archivePaths";
export { AgentsRepo, branchRef, DEFAULT_EXCLUDES, EMPTY_TREE } from "./agentsRepo";
export type { DiffFile, DiffFileStatus, RepoFileEntry } from "./gitOutput";
export { ARCHIVE_SCHEMA_VERSION, stampEvent, type ArchiveEvent, type ArchiveEventType, type NewArchiveEvent } from "./events";
export { parseEventLine } from "./parseEvent";
export { readEventLog, type LogChunk } from "./eventLog";
export { checkArchive } from "./checkArchive";
export { writeSyntheticLog, type SyntheticLogOptions, type SyntheticLogInfo } from "./syntheticLog";
export type {
  AddNodeMeta, ArchiveNode, ArchiveProblem, Cost, EvaluationInput, EvaluationRecord, EvaluationStopReason, InFlightEvaluation, InFlightExpansion,
  NodeIdentity, NodeOrigin, NodeOriginKind, NodeStatus, NodeTotals, ProblemCode, SessionBudgets, SessionConfig, SessionRecord, SpendKind, UsageTotals,
} from "./types";
