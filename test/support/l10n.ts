import * as fs from 'node:fs';
import * as path from 'node:path';
import { english, type Translate } from '../../src/client/errorMessages';

export const repoRoot = path.resolve(__dirname, '../../..');

/** The Korean runtime bundle, as VS Code loads it for a Korean display language. */
export function koreanBundle(): Record<string, string> {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, 'l10n/bundle.l10n.ko.json'), 'utf8')) as Record<string, string>;
}

/** A translator like `vscode.l10n.t` under a Korean display language; throws on a missing string. */
export function korean(): Translate {
  const bundle = koreanBundle();
  return (message, ...args) => {
    const translated = bundle[message];
    if (translated === undefined) throw new Error(`No Korean translation for: ${message}`);
    return english(translated, ...args);
  };
}
