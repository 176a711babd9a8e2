import {useIntl} from 'react-intl';

import type {FailingTest, Since, Tests} from '../../build_status';
import {TESTS_FROM_BUILDBOT, failedCount} from '../../build_status';
import {messages} from '../../messages';
import type {Theme} from '../../types/theme';

import {fade} from './colors';

interface Props {
    builder: string;
    tests: Tests;
    theme: Theme;
}

// TestsSummary is what a finished build's tests said: how many failed, passed and were skipped,
// the first failed tests by name, each marked new or already failing where the server could tell,
// how many more failed, and where the server read all that.
export function TestsSummary({builder, tests, theme}: Props) {
    const intl = useIntl();
    const failed = failedCount(tests);
    if (failed === 0 && tests.passed === 0 && tests.skipped === 0) {
        return null;
    }
    const secondary = fade(theme.centerChannelColor, 0.64);
    const more = failed - tests.failing.length;
    const from = tests.from === TESTS_FROM_BUILDBOT ? intl.formatMessage(messages.testsFromBuildbot) : intl.formatMessage(messages.testsFromRunner, {runner: tests.from});
    return (
        <section
            aria-label={intl.formatMessage(messages.testsLabel, {builder})}
            style={{margin: '2px 0', minWidth: 0}}
        >
            <TestCounts
                tests={tests}
                theme={theme}
            />
            {tests.failing.length > 0 && (
                <FailingTests
                    failing={tests.failing}
                    theme={theme}
                />
            )}
            {more > 0 && <div style={{color: secondary}}>{intl.formatMessage(messages.testsMore, {count: more})}</div>}
            <div style={{color: secondary, fontSize: 12}}>{from}</div>
        </section>
    );
}

interface Part {
    key: string;
    text: string;
    color: string;
    bold?: boolean;
}

// TestCounts is the line "13 failed · 1,204 passed · 12 skipped", or "1 test failed" when the
// tests were not counted and only the failed ones are known.
function TestCounts({tests, theme}: {tests: Tests; theme: Theme}) {
    const intl = useIntl();
    const failed = failedCount(tests);
    const secondary = fade(theme.centerChannelColor, 0.64);
    const parts: Part[] = [];
    if (!tests.counted) {
        parts.push({key: 'failed', text: intl.formatMessage(messages.testsFailed, {count: failed}), color: theme.errorTextColor, bold: true});
    } else {
        if (failed > 0) {
            parts.push({key: 'failed', text: intl.formatMessage(messages.testsCountedFailed, {count: failed}), color: theme.errorTextColor, bold: true});
        }
        parts.push({key: 'passed', text: intl.formatMessage(messages.testsCountedPassed, {count: tests.passed}), color: secondary});
        if (tests.skipped > 0) {
            parts.push({key: 'skipped', text: intl.formatMessage(messages.testsCountedSkipped, {count: tests.skipped}), color: secondary});
        }
    }
    return (
        <div style={{color: secondary, fontVariantNumeric: 'tabular-nums'}}>
            {parts.map((p, i) => (
                <span key={p.key}>
                    {i > 0 && ' · '}
                    <span style={{color: p.color, fontWeight: p.bold ? 600 : undefined}}>{p.text}</span>
                </span>
            ))}
        </div>
    );
}

// FailingTests lists failed tests by name. A name flows inline and breaks anywhere, so a long
// parametrised test wraps inside the card on a narrow screen instead of widening it.
function FailingTests({failing, theme}: {failing: FailingTest[]; theme: Theme}) {
    const intl = useIntl();
    return (
        <ul
            aria-label={intl.formatMessage(messages.testsFailing)}
            style={{listStyle: 'none', margin: '2px 0', padding: 0, minWidth: 0}}
        >
            {failing.map((t, i) => (
                <li
                    key={`${i}-${t.name}`}
                    style={{margin: '2px 0', overflowWrap: 'anywhere', wordBreak: 'break-word'}}
                >
                    <code style={{whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', wordBreak: 'break-word'}}>{t.name}</code>
                    {t.since && (
                        <>
                            {' '}
                            <SinceBadge
                                since={t.since}
                                theme={theme}
                            />
                        </>
                    )}
                </li>
            ))}
        </ul>
    );
}

// SinceBadge marks a failure new, in the error colour as the one to look at, or already failing,
// muted.
function SinceBadge({since, theme}: {since: Since; theme: Theme}) {
    const intl = useIntl();
    const fresh = since === 'new';
    const color = fresh ? theme.errorTextColor : fade(theme.centerChannelColor, 0.72);
    const background = fresh ? fade(theme.errorTextColor, 0.12) : fade(theme.centerChannelColor, 0.08);
    return (
        <span
            style={{display: 'inline-block', padding: '0 4px', borderRadius: 4, fontSize: 11, fontWeight: 600, lineHeight: '16px', whiteSpace: 'nowrap', color, background}}
        >
            {intl.formatMessage(fresh ? messages.testsNew : messages.testsAlreadyFailing)}
        </span>
    );
}
