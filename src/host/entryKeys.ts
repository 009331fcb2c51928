/**
 * Commands the entry (src/extension.ts) stands in for beyond the manifest's, named here so the
 * entry bundles nothing else of the core.
 */

/** A command for tests and the benchmark: completion's state and request count. */
export const COMPLETION_STATE_COMMAND = 'genos.completionState';

/** Commands the core registers that the manifest does not list. */
export const HIDDEN_COMMANDS = [COMPLETION_STATE_COMMAND];
