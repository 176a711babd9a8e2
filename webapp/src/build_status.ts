// The status a post of type custom_buildbot_build carries in props.buildbot_build. The server's
// post.Props (server/post/render.go) is the source; this checks every field at run time, so a
// malformed post falls back to its message instead of breaking the channel.

export const POST_TYPE = 'custom_buildbot_build';
export const PROPS_KEY = 'buildbot_build';
export const PROPS_VERSION = 1;

export const STATES = ['queued', 'building', 'success', 'warnings', 'failure', 'skipped', 'exception', 'retry', 'cancelled', 'superseded', 'unfollowed', 'expired'] as const;
export type State = typeof STATES[number];

export interface Row {
    builder: string;
    builderId: number;
    requestId: number;
    buildId?: number;
    number?: number;
    state: State;
    stateString?: string;
    url: string;
    startedAt?: number;
    completeAt?: number;
    step?: string;
    stepsDone?: number;
    stepsTotal?: number;
    failedStep?: string;
    logUrl?: string;
    // stoppedBy is the Mattermost username that stopped a cancelled build; stopReason is what
    // Buildbot was told when it was stopped elsewhere.
    stoppedBy?: string;
    stopReason?: string;
    // unserved: no force scheduler serves the builder, so chat may not start builds on it; only
    // system admins may stop them from chat.
    unserved?: boolean;
    // tests are what a finished build's tests said, when Buildbot or the failed step's log tells.
    tests?: Tests;
    // brokenSince is the first of the failed builds just before a finished one on its builder and
    // branch: the run of failures a failed row continues, or a passing row ends.
    brokenSince?: Broken;
    // queuePlace is a queued build's place in its builder's line, 1 the next to start;
    // queueStartsAt its estimated start, in epoch milliseconds (not seconds), 0 unknown.
    queuePlace?: number;
    queueStartsAt?: number;
}

// Broken mirrors the server's post.Broken, with what it omits read back as undefined.
export interface Broken {
    number: number;
    url: string;
    // at is when that build finished, in epoch seconds; 0 is unknown.
    at: number;
    // failures is how many builds failed in a row before the row's own.
    failures: number;
    revision?: string;
    // author is the Mattermost username whose change it built.
    author?: string;
}

// TESTS_FROM_BUILDBOT is Tests.from for the test results the build's steps recorded in Buildbot;
// any other value names the test runner whose output the failed step's log held ("pytest", ...).
export const TESTS_FROM_BUILDBOT = 'buildbot';

// Tests mirror the server's post.Tests, with what it omits as zero read back as zero.
export interface Tests {
    from: string;
    // counted: passed, failed and skipped are totals. Otherwise only failing is known, and failed
    // may be fewer than it names.
    counted: boolean;
    passed: number;
    failed: number;
    skipped: number;
    // failing names the first failed tests; the server sends at most 10.
    failing: FailingTest[];
}

export const SINCES = ['new', 'already_failing'] as const;

// Since tells a new failure, a test that passed in the last successful build of the builder and
// branch, from one that failed in the build before too.
export type Since = typeof SINCES[number];

export interface FailingTest {
    name: string;
    // since is unknown when there was nothing to compare with.
    since?: Since;
}

// failedCount is how many tests failed, named or counted.
export const failedCount = (tests: Tests): number => Math.max(tests.failed, tests.failing.length);

export interface BuildStatus {
    state: State;
    repo: string;
    branch?: string;
    revision?: string;
    requestedBy: string;
    buildbotUrl: string;
    rows: Row[];
    changeId?: number;
    nothingStarted?: boolean;
    unreachableSince?: number;
    unfollowed?: boolean;
    expired?: boolean;
    // changes are what a failed subscribed build brought; mentions are their authors on Mattermost.
    changes?: Change[];
    mentions?: string[];
    // teamId is for the server, which reads it back from the bot's own post; the card does not show it.
    teamId?: string;
    // params are the force scheduler's parameters the build was started with, where not the default.
    params?: Param[];
}

export interface Param {
    name: string;
    value: string;
}

export interface Change {
    author: string;
    revision?: string;
    comment?: string;
}

type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const isState = (v: unknown): v is State => typeof v === 'string' && (STATES as readonly string[]).includes(v);
const optional = <T>(v: unknown, check: (x: unknown) => x is T): T | undefined | null => {
    if (v === undefined || v === null) {
        return undefined;
    }
    return check(v) ? v : null;
};
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => isNumber(v) && Number.isInteger(v) && v >= 0;
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isHttpURL = (v: unknown): v is string => isString(v) && /^https?:\/\//.test(v);
const isSince = (v: unknown): v is Since => typeof v === 'string' && (SINCES as readonly string[]).includes(v);

function parseRow(v: unknown): Row | null {
    if (!isObject(v) || !isString(v.builder) || !isNumber(v.builder_id) || !isNumber(v.request_id) || !isState(v.state) || !isHttpURL(v.url)) {
        return null;
    }
    const buildId = optional(v.build_id, isNumber);
    const number = optional(v.number, isNumber);
    const stateString = optional(v.state_string, isString);
    const startedAt = optional(v.started_at, isNumber);
    const completeAt = optional(v.complete_at, isNumber);
    const step = optional(v.step, isString);
    const stepsDone = optional(v.steps_done, isCount);
    const stepsTotal = optional(v.steps_total, isCount);
    const failedStep = optional(v.failed_step, isString);
    const logUrl = optional(v.log_url, isHttpURL);
    const stoppedBy = optional(v.stopped_by, isString);
    const stopReason = optional(v.stop_reason, isString);
    const unserved = optional(v.unserved, isBoolean);
    const tests = object(v.tests, parseTests);
    const brokenSince = object(v.broken_since, parseBroken);
    const queuePlace = optional(v.queue_place, isCount);
    const queueStartsAt = optional(v.queue_starts_at, isCount);
    if ([buildId, number, stateString, startedAt, completeAt, step, stepsDone, stepsTotal, failedStep, logUrl, stoppedBy, stopReason, unserved, tests,
        brokenSince, queuePlace, queueStartsAt].includes(null)) {
        return null;
    }
    return {
        builder: v.builder, builderId: v.builder_id, requestId: v.request_id, state: v.state, url: v.url,
        buildId: buildId ?? undefined, number: number ?? undefined, stateString: stateString ?? undefined,
        startedAt: startedAt ?? undefined, completeAt: completeAt ?? undefined, step: step ?? undefined,
        stepsDone: stepsDone ?? undefined, stepsTotal: stepsTotal ?? undefined, failedStep: failedStep ?? undefined,
        logUrl: logUrl ?? undefined, stoppedBy: stoppedBy ?? undefined, stopReason: stopReason ?? undefined,
        unserved: unserved ?? undefined, tests: tests ?? undefined, brokenSince: brokenSince ?? undefined,
        queuePlace: queuePlace ?? undefined, queueStartsAt: queueStartsAt ?? undefined,
    };
}

function parseParam(v: unknown): Param | null {
    return isObject(v) && isString(v.name) && isString(v.value) ? {name: v.name, value: v.value} : null;
}

function parseChange(v: unknown): Change | null {
    if (!isObject(v) || !isString(v.author)) {
        return null;
    }
    const revision = optional(v.revision, isString);
    const comment = optional(v.comment, isString);
    if (revision === null || comment === null) {
        return null;
    }
    return {author: v.author, revision, comment};
}

// list reads an optional array whose every item read parses; null when any does not.
function list<T>(v: unknown, parse: (x: unknown) => T | null): T[] | undefined | null {
    if (v === undefined || v === null) {
        return undefined;
    }
    if (!Array.isArray(v)) {
        return null;
    }
    const items = v.map(parse);
    return items.includes(null) ? null : items as T[];
}

function parseFailingTest(v: unknown): FailingTest | null {
    if (!isObject(v) || !isString(v.name)) {
        return null;
    }
    const since = optional(v.since, isSince);
    if (since === null) {
        return null;
    }
    return since ? {name: v.name, since} : {name: v.name};
}

// parseTests reads a row's tests. Like any field the card cannot read, tests that do not parse make
// the whole post fall back to its message, which names the failed tests too.
function parseTests(v: unknown): Tests | null {
    if (!isObject(v) || !isString(v.from) || v.from === '') {
        return null;
    }
    const counted = optional(v.counted, isBoolean);
    const passed = optional(v.passed, isCount);
    const failed = optional(v.failed, isCount);
    const skipped = optional(v.skipped, isCount);
    const failing = list(v.failing, parseFailingTest);
    if ([counted, passed, failed, skipped, failing].includes(null)) {
        return null;
    }
    return {from: v.from, counted: counted ?? false, passed: passed ?? 0, failed: failed ?? 0, skipped: skipped ?? 0, failing: failing ?? []};
}

// parseBroken reads a row's broken_since. Like tests, one that does not parse makes the whole post
// fall back to its message, which says since when the build fails too.
function parseBroken(v: unknown): Broken | null {
    if (!isObject(v) || !isCount(v.number) || !isHttpURL(v.url) || !isCount(v.failures)) {
        return null;
    }
    const at = optional(v.at, isCount);
    const revision = optional(v.revision, isString);
    const author = optional(v.author, isString);
    if ([at, revision, author].includes(null)) {
        return null;
    }
    return {number: v.number, url: v.url, at: at ?? 0, failures: v.failures, revision: revision || undefined, author: author || undefined};
}

// object reads an optional object with its parser; null when it does not parse.
function object<T>(v: unknown, parse: (x: unknown) => T | null): T | undefined | null {
    return v === undefined || v === null ? undefined : parse(v);
}

// parseBuildStatus returns the status of a post's props, or null when they are not one.
export function parseBuildStatus(props: unknown): BuildStatus | null {
    if (!isObject(props)) {
        return null;
    }
    const v = props[PROPS_KEY];
    if (!isObject(v) || v.version !== PROPS_VERSION || !isState(v.state) || !isString(v.repo) || !isString(v.requested_by) ||
        !isHttpURL(v.buildbot_url) || !Array.isArray(v.rows)) {
        return null;
    }
    const rows = v.rows.map(parseRow);
    const branch = optional(v.branch, isString);
    const revision = optional(v.revision, isString);
    const changeId = optional(v.change_id, isNumber);
    const nothingStarted = optional(v.nothing_started, isBoolean);
    const unreachableSince = optional(v.unreachable_since, isNumber);
    const unfollowed = optional(v.unfollowed, isBoolean);
    const expired = optional(v.expired, isBoolean);
    const teamId = optional(v.team_id, isString);
    const changes = list(v.changes, parseChange);
    const mentions = list(v.mentions, (x) => (isString(x) ? x : null));
    const params = list(v.params, parseParam);
    if (rows.includes(null) || [branch, revision, changeId, nothingStarted, unreachableSince, unfollowed, expired, teamId, changes, mentions, params].includes(null)) {
        return null;
    }
    return {
        state: v.state, repo: v.repo, requestedBy: v.requested_by, buildbotUrl: v.buildbot_url, rows: rows as Row[],
        branch: branch ?? undefined, revision: revision ?? undefined, changeId: changeId ?? undefined,
        nothingStarted: nothingStarted ?? undefined, unreachableSince: unreachableSince ?? undefined, unfollowed: unfollowed ?? undefined,
        expired: expired ?? undefined, teamId: teamId ?? undefined, changes: changes ?? undefined, mentions: mentions ?? undefined,
        params: params ?? undefined,
    };
}

export const isRunning = (state: State): boolean => state === 'queued' || state === 'building' || state === 'retry';

// WAITING_KEY holds who asked for a direct message when the build ends (Notify me).
export const WAITING_KEY = 'buildbot_waiting';

// waitingOf reads who waits for a build's end from a post's props: user ids, or none when the
// prop is not a list of them.
export function waitingOf(props: unknown): string[] {
    const v = isObject(props) ? props[WAITING_KEY] : undefined;
    return Array.isArray(v) && v.every(isString) ? v : [];
}
