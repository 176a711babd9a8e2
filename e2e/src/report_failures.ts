// Prints the e2e suite's failed tests, briefly, from Jest's JSON results. run-e2e.sh calls it
// last, after the stack is down, so that the failures end the log: a CI log shown in part keeps
// its end.
import {readFileSync} from 'node:fs';

interface AssertionResult {
    fullName: string;
    status: string;
    failureMessages: string[];
}

interface Results {
    testResults: Array<{name: string; message: string; assertionResults: AssertionResult[]}>;
}

const linesPerFailure = 12;

function brief(message: string): string {
    // Jest's messages carry colour codes and a stack trace; the first lines say what failed.
    // eslint-disable-next-line no-control-regex
    const plain = message.replace(/\u001b\[[0-9;]*m/g, '');
    return plain.split('\n').filter((line) => !/^\s+at /.test(line) && line.trim() !== '').slice(0, linesPerFailure).
        map((line) => `    ${line}`).join('\n');
}

function main(file: string): void {
    let results: Results;
    try {
        results = JSON.parse(readFileSync(file, 'utf8')) as Results;
    } catch (err) {
        process.stdout.write(`(no e2e results to summarise in ${file}: ${String(err)})\n`);
        return;
    }
    const out: string[] = [];
    for (const suite of results.testResults) {
        const failed = suite.assertionResults.filter((a) => a.status === 'failed');
        if (failed.length === 0 && suite.message.trim() !== '') {
            // The file failed as a whole (a beforeAll, a compile error).
            out.push(`✕ ${suite.name}\n${brief(suite.message)}`);
        }
        for (const a of failed) {
            out.push(`✕ ${a.fullName}\n${a.failureMessages.map(brief).join('\n')}`);
        }
    }
    if (out.length > 0) {
        process.stdout.write(`\n== e2e failures (${out.length}) ==\n${out.join('\n')}\n`);
    }
}

main(process.argv[2] ?? 'e2e/artifacts/jest-results.json');
