// The fault table: each fault `make test-faults` injects, what a user sees, what the test asserts,
// what it measured and whether it passed. Run with Jest's JSON results; it exits 1 unless every row
// passed:
//   tsx e2e/src/fault_table.ts e2e/artifacts/faults-results.json
// With --readme it prints the table without results, as docs/faults.md shows it.
import fs from 'node:fs';

import {measuredFile, type Measured} from './measured';

interface Row {
    fault: string;
    sees: string;
    asserts: string;
    // test is the start of the test's full name (describe blocks and title).
    test: string;
}

const rows: Row[] = [
    {fault: 'Two Mattermost servers, 20 builds started alternately through both, half failing',
        sees: 'one post per build with its result, one failure reply under each failure',
        asserts: '20 posts, 20 right results, exactly one reply per failure, no post\'s edit history goes back or changes its result',
        test: '20 builds started alternately'},
    {fault: 'Two servers polling the same Buildbot', sees: 'nothing',
        asserts: 'Buildbot requests per tick on two servers equal one server\'s; ticks per interval do not double',
        test: 'Buildbot requests per tick across both servers'},
    {fault: '`kill -9` of the server that ran the poller last (push off)', sees: 'posts keep following their builds',
        asserts: 'the other server takes over; each post shows its result within two poll intervals of the build\'s end; one post and reply each',
        test: 'kill -9 of the server that ran the poller last'},
    {fault: '`kill -9` of the server that follows Buildbot\'s WebSocket', sees: 'posts keep following their builds',
        asserts: 'as above, with push on', test: 'kill -9 of the server that follows'},
    {fault: 'Toxiproxy (in front of Buildbot 3.7): 2 s latency on every reply', sees: '/build answers, slower',
        asserts: 'answer within the request timeout; no "unreachable" before 3 failed polls; the build\'s real result after', test: 'Buildbot 3.7 behind Toxiproxy 2 s latency'},
    {fault: 'Toxiproxy: connection reset in mid-reply', sees: '"Buildbot at … is unreachable: the connection closed before a reply" (or "connection reset by peer"); the post says "unreachable since" after 3 failed polls',
        asserts: 'clear answer at once; the post says "unreachable", and only after the threshold; real result once healthy', test: 'Buildbot 3.7 behind Toxiproxy the connection reset'},
    {fault: 'Toxiproxy: Buildbot never answers', sees: 'after 4 s: "Buildbot at … did not confirm the build … within 4s. It may start anyway: look at … before you try again"',
        asserts: 'answer within the timeout; "unreachable" only after the threshold; real result once healthy', test: 'Buildbot 3.7 behind Toxiproxy a Buildbot that never answers'},
    {fault: 'Toxiproxy: replies at 1 KB/s', sees: '/build answers, slower',
        asserts: 'answer within the timeout; real result', test: 'Buildbot 3.7 behind Toxiproxy replies at 1 KB/s'},
    {fault: 'Toxiproxy: every connection, the WebSocket too, cut every 3 s', sees: 'posts keep following (push reconnects, polling covers the gaps)',
        asserts: 'answer within the timeout; real result; no flapping', test: 'Buildbot 3.7 behind Toxiproxy every connection'},
    {fault: 'HTTP 500 from Buildbot', sees: '"Buildbot at … failed with HTTP 500. Its log (twistd.log) may say why"',
        asserts: 'that answer; the post says "unreachable", and only after the threshold; real result once healthy', test: 'Buildbot 4.x behind a responder that answers badly HTTP 500'},
    {fault: 'HTTP 502 from a proxy in front of Buildbot', sees: '"… could not be reached through the proxy in front of it (HTTP 502)"',
        asserts: 'as above', test: 'Buildbot 4.x behind a responder that answers badly HTTP 502'},
    {fault: 'A reply cut short (full length announced, half sent)', sees: '"… is unreachable: the connection closed in the middle of a reply"',
        asserts: 'as above', test: 'Buildbot 4.x behind a responder that answers badly a reply cut short'},
    {fault: 'A login page instead of JSON', sees: '"… gave an answer the plugin does not understand (an HTML page instead of JSON)"',
        asserts: 'as above', test: 'Buildbot 4.x behind a responder that answers badly a login page'},
    {fault: 'A 100 MB reply', sees: '"… gave an answer the plugin does not understand (a reply over 8 MiB)"',
        asserts: 'as above; the responder hands over at most 24 MiB of each reply (the 8 MiB cap plus both sockets\' buffers); resident memory within 8 MiB of its level before this fault', test: 'Buildbot 4.x behind a responder that answers badly a 100 MB reply'},
    {fault: 'All of the faults above, one after another', sees: '—',
        asserts: 'goroutines no more than 5 above, resident memory no more than 16 MiB above the first sample', test: 'after every fault'},
    {fault: 'PostgreSQL stopped for 8 s under 3 running builds', sees: 'posts catch up once Mattermost reconnects',
        asserts: 'every post shows its build\'s real result; one post and at most one reply each; no flapping', test: 'builds that run while PostgreSQL restarts'},
    {fault: '50 users in 10 channels type /build at once, twice', sees: 'every /build answers and posts',
        asserts: 'no error, 100 posts, 100 results; p50/p95 reported beside Buildbot\'s own force burst', test: '50 users in 10 channels'},
    {fault: 'Builds every 20 s for MMBB_SOAK_MINUTES (30)', sees: '—',
        asserts: 'after a minute to settle, at least 7 samples; the trend of a line fitted through them rises at most 5 goroutines and 10 MiB resident memory over the soak', test: 'builds come steadily'},
];

interface JestResults {
    testResults: Array<{assertionResults: Array<{fullName: string; status: string}>}>;
}

const say = (line: string): void => {
    process.stdout.write(line + '\n');
};

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function main(): void {
    const readme = process.argv.includes('--readme');
    if (readme) {
        say('| Fault | What a user sees | What the test asserts |\n|---|---|---|');
        for (const row of rows) {
            say(`| ${cell(row.fault)} | ${cell(row.sees)} | ${cell(row.asserts)} |`);
        }
        return;
    }
    const file = process.argv[2];
    const results = file && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) as JestResults : {testResults: []};
    const tests = results.testResults.flatMap((r) => r.assertionResults);
    const figures = fs.existsSync(measuredFile) ?
        fs.readFileSync(measuredFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Measured) : [];
    say('\n== fault table ==\n');
    say('| Fault | What a user sees | What the test asserts | Measured | Result |\n|---|---|---|---|---|');
    let failed = 0;
    for (const row of rows) {
        const test = tests.find((t) => t.fullName.startsWith(row.test));
        const status = test?.status === 'passed' ? 'pass' : test ? 'FAIL' : 'not run';
        failed += status === 'pass' ? 0 : 1;
        const seen = figures.filter((f) => f.test.startsWith(row.test)).map((f) => f.figure).join('; ');
        say(`| ${cell(row.fault)} | ${cell(row.sees)} | ${cell(row.asserts)} | ${cell(seen || '—')} | ${status} |`);
    }
    say(`\n${rows.length - failed} of ${rows.length} rows pass`);
    // A row whose test failed, or did not run (renamed, removed, skipped), fails the suite: the
    // table in docs/faults.md claims every row.
    if (failed > 0) {
        process.exitCode = 1;
    }
    for (const test of tests.filter((t) => !rows.some((row) => t.fullName.startsWith(row.test)))) {
        say(`(a test without a row: ${test.fullName}: ${test.status})`);
    }
}

main();
