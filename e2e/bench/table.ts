// The benchmarks' one table: every figure with its median and p95, its target and a verdict.

export interface Result {
    section: string;
    measure: string;
    median: string;
    p95: string;
    target: string;
    verdict: '' | 'pass' | 'fail';
    // run names the commit measured, for a row a run of other parts kept.
    run?: string;
}

export const results: Result[] = [];

export function quantile(values: number[], q: number): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

export function ms(value: number): string {
    return Number.isFinite(value) ? `${value.toFixed(0)} ms` : 'n/a';
}

// record adds a measure taken many times; ok judges its median and p95 against the target.
export function record(section: string, measure: string, values: number[], format: (v: number) => string, target = '', ok?: (median: number, p95: number) => boolean): void {
    const median = quantile(values, 0.5);
    const p95 = quantile(values, 0.95);
    results.push({section, measure: `${measure} (n=${values.length})`, median: format(median), p95: format(p95), target,
        verdict: ok ? (ok(median, p95) ? 'pass' : 'fail') : ''});
}

// note adds a single figure.
export function note(section: string, measure: string, value: string, target = '', pass?: boolean): void {
    figure(section, measure, value, '', target, pass);
}

// figure adds a median and p95 worked out already, such as the ratio of two measures.
export function figure(section: string, measure: string, median: string, p95: string, target = '', pass?: boolean): void {
    results.push({section, measure, median, p95, target, verdict: pass === undefined ? '' : pass ? 'pass' : 'fail'});
}

const header = ['Section', 'Measure', 'Median', 'p95', 'Target', 'Pass', 'Commit'];

export function table(rows: Result[], run: string): string {
    const sorted = [...rows].sort((a, b) => a.section.localeCompare(b.section, 'en', {numeric: true}));
    const cells = sorted.map((r) => [r.section, r.measure, r.median, r.p95 || '—', r.target || '—', r.verdict || '—', r.run ?? run]);
    return [header, header.map(() => '---'), ...cells].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

// parseTable reads back the rows table() wrote, so a run of some parts keeps the others' rows.
// A table without the Commit column is the commit its header names.
export function parseTable(text: string): Result[] {
    const written = /commit (\w+)/.exec(text)?.[1] ?? 'unknown';
    const rows: Result[] = [];
    for (const line of text.split('\n')) {
        const cells = line.startsWith('| ') ? line.slice(2, -2).split(' | ').map((c) => (c === '—' ? '' : c)) : [];
        if (cells.length < header.length - 1 || cells[0] === header[0] || cells[0] === '---') {
            continue;
        }
        const [section = '', measure = '', median = '', p95 = '', target = '', verdict, run = written] = cells;
        rows.push({section, measure, median, p95, target, verdict: verdict === 'pass' || verdict === 'fail' ? verdict : '', run});
    }
    return rows;
}

// sameMeasure says whether two rows measure the same thing, however many times each was taken.
export function sameMeasure(a: Result, b: Result): boolean {
    const plain = (r: Result): string => `${r.section}|${r.measure.replace(/ \(n=\d+\)$/, '')}`;
    return plain(a) === plain(b);
}

export function sleep(msecs: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, msecs));
}
