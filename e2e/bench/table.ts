// The benchmarks' one table: every figure with its median and p95, its target and a verdict.

export interface Result {
    section: string;
    measure: string;
    median: string;
    p95: string;
    target: string;
    verdict: '' | 'pass' | 'fail';
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

export function table(): string {
    const header = ['Section', 'Measure', 'Median', 'p95', 'Target', 'Pass'];
    const sorted = [...results].sort((a, b) => a.section.localeCompare(b.section, 'en', {numeric: true}));
    const rows = sorted.map((r) => [r.section, r.measure, r.median, r.p95 || '—', r.target || '—', r.verdict || '—']);
    return [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export function sleep(msecs: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, msecs));
}
