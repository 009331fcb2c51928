/**
 * The suite for an extension host started with a GenOS serving provisioned in its environment, as
 * in a GenOS codespace (see runIntegration.ts). Runs every `*.test.js` beside it.
 */
import * as path from 'node:path';
import { runSuite } from '../index';

export const provisionedResults = path.resolve(__dirname, '../../../../test-results/integration-provisioned.json');

export function run(): Promise<void> {
  return runSuite(__dirname, provisionedResults);
}
