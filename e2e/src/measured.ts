// What the fault tests measured, for the fault table (e2e/src/fault_table.ts): each test appends
// its figures to a file beside Jest's results, under its own name.
import fs from 'node:fs';
import path from 'node:path';

import {artifactsDir} from './env';

export const measuredFile = path.join(artifactsDir, 'faults-measured.jsonl');

export interface Measured {
    test: string;
    figure: string;
}

// measured records a figure of the running test and prints it, so a log shows it too.
export function measured(figure: string): void {
    const test = expect.getState().currentTestName ?? '';
    fs.mkdirSync(path.dirname(measuredFile), {recursive: true});
    fs.appendFileSync(measuredFile, JSON.stringify({test, figure} satisfies Measured) + '\n');
    process.stdout.write(`[measured] ${test}: ${figure}\n`);
}
