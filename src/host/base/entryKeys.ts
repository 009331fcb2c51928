/**
 * Names the entry (src/extension.ts) shares with the core: the commands it stands in for beyond
 * the manifest's, and a global-state key. Named here so the entry bundles nothing else of the core.
 */

/** A command for tests and the benchmark: completion's state and request count. */
export const COMPLETION_STATE_COMMAND = 'genos.completionState';

/** Commands the core registers that the manifest does not list. */
export const HIDDEN_COMMANDS = [COMPLETION_STATE_COMMAND];

/**
 * Set in global state once GenOS models were listed in VS Code's chat. VS Code (1.139 checked)
 * asks a provider for its models only when something looks models up or the provider says they
 * changed, never at start-up: a window that had GenOS models says so right after registering.
 */
export const MODELS_LISTED = 'genos.nativeChat.modelsListed';
