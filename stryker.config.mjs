// Mutation testing of the GenOS client: `npm run mutate`. Not part of CI: a full pass takes long.
// Each mutant of src/client is run against the unit test files that cover it (node:test files
// built to out/ by the build command, read as TAP). Results are kept in reports/, so a second run
// tests only the mutants whose code or covering tests changed. (The TAP runner numbers test files
// in order: adding a test file renumbers the rest, and the next run tests everything again.) The
// survivors no test can kill are listed at the end of this file, each with the reason it is
// equivalent.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'tap',
  tap: { testFiles: ['out/test/unit/**/*.test.js'] },
  buildCommand: 'node scripts/buildTests.js',
  mutate: ['src/client/**/*.ts'],
  coverageAnalysis: 'perTest',
  ignorePatterns: ['out', 'dist', 'test-results', 'reports', 'bench/results', '*.vsix', '.vscode-test'],
  disableTypeChecks: 'src/**/*.ts',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  concurrency: 2,
  // A mutant that makes a test hang is stopped 10 s after the test files' usual time.
  timeoutMS: 10000,
  tempDirName: '.stryker-tmp',
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  thresholds: { high: 90, low: 80, break: 80 },
};

// Survivors, measured with `npm run mutate` (reports/mutation/index.html lists each one).
// Equivalent: no test can kill these, because the program behaves the same.
// - http.ts readText `size < limit` → `size <= limit`: at size === limit the pushed slice is empty.
// - http.ts LocalTimeout's message (→ ``): the error never leaves http.ts; transportError reads
//   only its phase and makes the GenosError (and its message) from it.
// - `{ once: true }` on abort listeners (genosClient.ts sleep, http.ts openRequest and its late
//   abort, network.ts once and readHead, completionEngine.ts quiet and untilAborted): an abort
//   event fires once per signal, and each listener is removed in its function's clean-up (tests
//   hold that none is left on a signal).
// - http.ts networkReasonOf `if (!code) return 'other'` → false: undefined or '' equals no code and
//   matches no TLS prefix, so the function answers 'other' for it anyway.
// - http.ts ownPathRequest `request.trace ?? { path: 'direct' }` (→ `{}`, `""`): the stand-in
//   trace of a request that asked for none is filled by connect() and read by no one.
// - http.ts defaultRequest `if (socket.connecting)` → true: a socket the agent reuses is already
//   connected and never emits 'connect' again, so the listener never runs and connectedMs stays
//   unset either way (the test of a reused connection holds that).
// - genosClient.ts probe `{ path: 'default' }` (→ `{}`, `""`): both stacks set the path before
//   anything reads it.
// - genosClient.ts send `status >= 200` → true: Node hands 'response' only final statuses (1xx
//   are separate events), and a client response always has one.
// - genosClient.ts send `!(caught instanceof GenosError)` → false: openRequest and
//   errorFromResponse reject only with GenosErrors; the check keeps a fault of the extension
//   itself from being retried as a network failure.
// - genosClient.ts `url.protocol === 'https:'` → true (before peeking at a refused certificate):
//   only a TLS connection fails with a TLS reason, and a peek at a plain-http address finds none.
// - genosClient.ts errorFromResponse `status >= 300` → true: only statuses of 300 and more get
//   there (2xx are returned before).
// - network.ts once() `onClose` (its rejection and code): Node emits 'error' before 'close' for
//   every failure while connecting or during a TLS handshake, so the listener only guarantees that
//   a wait can never hang.
// - network.ts readHead `buffered.length > 64 * 1024` → `>=`: the guard against a head that never
//   ends is the same one byte either way (a test holds the guard and one that does end).
// - network.ts handshake `authorizationError ?? 'CERT_UNTRUSTED'`: Node sets authorizationError
//   whenever authorized is false.
// - network.ts handshake, the validity check under allowSelfSigned (`valid_from <= now && now <=
//   valid_to` and the choice between CERT_NOT_YET_VALID and CERT_HAS_EXPIRED): OpenSSL checks the
//   dates after the chain and reports the date error last, so a certificate out of its period never
//   arrives here as self-signed or untrusted (tests hold both refusals). The check stays for TLS
//   stacks that report the chain first (the extension host runs on Electron's BoringSSL).
// - network.ts `ALPNProtocols: ['http/1.1']` → `[]`: without ALPN a TLS server speaks HTTP/1.1 too;
//   the option only stops a server that offers h2 from choosing it.
// - network.ts `getPeerCertificate(true)` → `false`: only the leaf's subject, issuer and dates are
//   read, which both forms carry.
// - network.ts `socket.setNoDelay(true)` → `false`: on loopback the kernel does not delay small
//   writes the way Nagle's algorithm does across a network; the effect is latency on real links.
// - completion.ts fitCompletion `if (!result.trim()) return ''` (→ `false`, `result`): no later
//   step adds text to a blank result, and the last line returns '' for it anyway.
// - completion.ts `if (multiline)` → `true`: without multiline the result is one line, so the
//   loop over repeated lines runs zero times.
// - completion.ts `line !== ''` (→ `true`, `"Stryker was here!"`): the suffix lines compared with
//   have their blank lines filtered out, so a blank line never equals one of them.
// - completion.ts `if (closers)` → `true`: with no closers the loop over them runs zero times.
// - completion.ts repeatsClosers `split(ch).length - 1` → `+ 1`: both counts of a bracket pair
//   shift by 2, so their order is the same, and a quote's count keeps its parity.
// - endpoint.ts PASTED_ENDPOINT without `^`: `(.*?)` can take any prefix of a path (which holds no
//   line breaks), so the leftmost match starts at 0 either way.
// - endpoint.ts isLoopbackHost `/^\[|\]$/g` without one anchor: URL host names hold brackets only
//   around an IPv6 address, at both ends.
// - prompts.ts rewriteMessages history `[]` → `["Stryker was here"]`: a string has no answer or
//   reasoning, so buildMessages skips it as it skips a turn that failed.
// - proxy.ts splitNoProxy `/[\s,]+/` → `/[\s,]/`: the empty entries it then makes are skipped by
//   matchesNoProxy (`if (!entry) continue`), which a test holds in place.
// - proxy.ts `[]` → `["Stryker was here"]` (splitNoProxy, `settings.noProxy ?? []`): an entry with
//   spaces matches no host name, as host names hold no spaces.
// - proxy.ts matchesNoProxy CIDR pattern without `^`: `(.+)` can start at 0, so the leftmost match
//   does.
// - proxy.ts matchesNoProxy `catch { continue; }` → `{}`: the empty BlockList then matches nothing
//   and the loop continues the same.
// - openai.ts eventsOf `choices : []` → `["Stryker was here"]`: a string is not a choice object,
//   so find skips it as it finds nothing in [].
// - openai.ts objectOf `catch { return undefined; }` → `{}`: the function then returns undefined.
// - openai.ts parseModelInfo `typeof length === 'number'` → true: Number.isInteger is false for
//   anything but a number.
// - openai.ts refusesTools and parseContextLimit `if (!message)` → false: the patterns are then
//   tested against "undefined" or "", which neither matches.
// - certificates.ts pemFile `if (!file)` → false: reading '' or undefined throws, which the same
//   function catches and answers with no certificates.
// - certificates.ts systemCertificates `if (read)` → true: calling a missing reader throws, which
//   is caught, and the bundle files are read as without it.
// - certificates.ts trustedCertificates `pem.trim()` → `pem`: on Node 20 every source is a PEM
//   block cut at its markers (or Node's roots, which have no whitespace around them); the trim is
//   for the system reader of newer Node versions, which this machine's Node does not have.
// - completionEngine.ts `cache: Result[] = []` → `["Stryker was here"]`: a string has no suffix,
//   so it never continues a cursor, and it is the first evicted.
// - completionEngine.ts fromPending's catch, `error instanceof GenosError && error.kind ===
//   'cancelled'` (→ true, `||`, `error.kind` → true): the rethrow still needs the caller's signal
//   aborted, and then the error is always the cancellation untilAborted rejected with.
// Every other mutant of the last full run (2026-11-28: 2,533 mutants, 97.0 % killed) is killed;
// the two survivors it found besides the ones above (an unread error body's '' and the models
// list's message) are killed by tests since.
