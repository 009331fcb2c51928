/**
 * The paths a model names, before the host looks at the disk: a relative path inside the
 * workspace, written with `/`, never absolute and never climbing out; and the files that look like
 * secrets, which the agent reads only when the user approves that one read. Plain functions, no I/O.
 */

/** A path the model gave, made relative and written with `/`; or why it is refused. */
export function modelPath(input: string): { path: string } | { error: string } {
  const raw = input.trim().replace(/\\/g, '/');
  if (!raw) return { error: 'The path is empty.' };
  if (raw.startsWith('/') || raw.startsWith('~') || /^[a-zA-Z]:/.test(raw) || /^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    return { error: `${input} is not a path inside the workspace: give it relative to the workspace folder.` };
  }
  // Control characters, Windows' drive and stream separator (`a.key::$DATA`), names Windows trims
  // (`a.`, `a `), its device names (`CON`, `aux.txt`) and short names (`GIT~1`) could all reach a
  // file under another name than the one checked.
  if (/[\x00-\x1f:]/.test(raw)) return { error: `${input} holds characters a path in the workspace cannot hold.` };
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (/[. ]$/.test(part) && part !== '..') return { error: `${input} has a name ending in a dot or space.` };
    if (/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(part) || /~\d/.test(part)) {
      return { error: `${input} names a device or a short name, not a file of the workspace.` };
    }
    if (part === '..') {
      if (parts.length === 0) return { error: `${input} leads outside the workspace.` };
      parts.pop();
    } else parts.push(part);
  }
  if (parts.length === 0) return { path: '.' };
  return { path: parts.join('/') };
}

/** File names that hold keys, passwords or tokens by convention (compared without case). */
const SECRET_NAMES: ReadonlyArray<[RegExp, string]> = [
  [/^\.env(rc)?(\..*)?$|\.env$/i, 'an environment file (.env), which usually holds passwords and keys'],
  [/\.(pem|key|p12|pfx|jks|keystore|ppk|kdbx)$/i, 'a key or certificate store'],
  [/^id_(rsa|dsa|ecdsa|ed25519)/i, 'an SSH key'],
  [/^[._](netrc|git-credentials|npmrc|pypirc|pgpass|htpasswd|yarnrc\.yml)$/i, 'a file that holds credentials'],
  [/\.tfvars$|^terraform\.tfstate|^credentials\.json$|^service-account.*\.json$/i, 'a file that holds credentials'],
];

/** Folders whose every file holds credentials. */
const SECRET_FOLDERS: ReadonlyArray<[RegExp, string]> = [
  [/(^|\/)\.ssh\//i, 'a file of an SSH folder'],
  [/(^|\/)\.aws\/(credentials|config)$/i, 'AWS credentials'],
  [/(^|\/)\.docker\/config\.json$/i, 'Docker credentials'],
];

/** Why a workspace file looks like a secret, or undefined when it does not. */
export function secretReason(relative: string): string | undefined {
  for (const [pattern, reason] of SECRET_FOLDERS) if (pattern.test(relative)) return reason;
  const name = relative.split('/').at(-1) ?? '';
  for (const [pattern, reason] of SECRET_NAMES) if (pattern.test(name)) return reason;
  return undefined;
}

/**
 * Files whose change can make the editor or a tool run something (tasks that run when a folder
 * opens, git hooks, CI, package scripts, dev containers): an edit of one always asks the user, even
 * when edits are approved without asking. Undefined for other files.
 */
export function runsCode(relative: string): string | undefined {
  const path = relative.replace(/\\/g, '/');
  if (/(^|\/)\.(vscode|devcontainer|husky|githooks|circleci)\//i.test(path)) return 'editor or tool configuration';
  if (/(^|\/)\.github\/(workflows|actions)\//i.test(path)) return 'a CI workflow';
  const name = path.split('/').at(-1) ?? '';
  if (/\.code-workspace$/i.test(name)) return 'a workspace file';
  if (
    /^(package\.json|makefile|gnumakefile|justfile|taskfile\.ya?ml|\.envrc|\.npmrc|\.yarnrc(\.yml)?|pyproject\.toml|setup\.py|build\.gradle(\.kts)?|pom\.xml|cargo\.toml|\.pre-commit-config\.yaml|\.gitlab-ci\.yml|dockerfile)$/i.test(
      name,
    )
  ) {
    return 'a file that defines commands';
  }
  return undefined;
}
