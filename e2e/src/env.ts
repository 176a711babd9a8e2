// Where the stack started by e2e/stack/up.sh listens. The defaults match e2e/stack/lib.sh and
// e2e/stack/buildbot.sh; both read the same environment variables.
import path from 'node:path';

const port = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

export const repoRoot = path.resolve(__dirname, '..', '..');

export const mattermostURL = `http://127.0.0.1:${port('MMBB_MM_PORT', 28065)}`;
// The second server of the fault tests (mattermost.sh up 2): same database, settings and files.
export const mattermost2URL = `http://127.0.0.1:${port('MMBB_MM2_PORT', 28066)}`;
// Toxiproxy's API (toxiproxy.sh), started only for the fault tests.
export const toxiproxyURL = `http://127.0.0.1:${port('MMBB_TOXI_PORT', 28474)}`;

export interface BuildbotMaster {
    label: string;
    url: string;
    // Debian's package reports its packaging revision too (3.7.0-2).
    version: RegExp;
}

export const bb4: BuildbotMaster = {label: 'Buildbot 4.x', url: `http://127.0.0.1:${port('MMBB_BB4_PORT', 28010)}/`, version: /^4\.3\.0$/};
export const bb37: BuildbotMaster = {label: 'Buildbot 3.7', url: `http://127.0.0.1:${port('MMBB_BB37_PORT', 28020)}/`, version: /^3\.7\.0(-\S+)?$/};

export const buildbotMasters: BuildbotMaster[] = [bb4, bb37];

// The benchmarks' master of 1,000 builders (e2e/stack/buildbot/big.cfg), started only by them.
export const bbBig: BuildbotMaster = {label: 'Buildbot 4.x, 1,000 builders', url: `http://127.0.0.1:${port('MMBB_BBBIG_PORT', 28030)}/`, version: /^4\.3\.0$/};

// Users and credentials the stack's master.cfg defines.
export const buildbotUsers = {
    admin: {username: 'admin', password: 'admin-pass'},
    viewer: {username: 'viewer', password: 'viewer-pass'},
    hook: {username: 'hook', password: 'hook-pass'},
};

export const artifactsDir = path.join(repoRoot, 'e2e', 'artifacts');
