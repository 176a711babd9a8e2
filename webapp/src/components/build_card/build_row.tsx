import type {IntlShape} from 'react-intl';
import {useIntl} from 'react-intl';

import type {Row} from '../../build_status';
import {isRunning} from '../../build_status';
import {messages} from '../../messages';
import type {Theme} from '../../types/theme';
import {queueLine} from '../../wording';

import {BrokenSince} from './broken_since';
import {fade, stateColor} from './colors';
import {formatDuration} from './format';
import {StateIcon} from './state_icon';
import {StepProgress} from './step_progress';
import {TestsSummary} from './tests_summary';
import {useNow} from './use_now';

interface Props {
    row: Row;
    theme: Theme;
}

// stateText says a row's state and, for a stopped build, who stopped it or why.
function stateText(row: Row, intl: IntlShape): string {
    if (row.state === 'cancelled' && row.stoppedBy) {
        return intl.formatMessage(messages.cancelledBy, {username: row.stoppedBy});
    }
    if (row.state === 'cancelled' && row.stopReason) {
        return intl.formatMessage(messages.cancelledWithReason, {reason: row.stopReason});
    }
    return intl.formatMessage(messages[row.state]);
}

// BuildRow is one builder's part: its state, link and duration, then where it stands in its
// builder's line while queued (in the builds panel's words), how far it has come while it runs,
// or the step it failed in with a link to that step's log, since when its builder and branch fail
// (or after how many failures it was fixed), and what its tests said.
export function BuildRow({row, theme}: Props) {
    const intl = useIntl();
    const running = isRunning(row.state);
    const queue = row.state === 'queued' && (row.queuePlace !== undefined || row.queueStartsAt !== undefined) ?
        {place: row.queuePlace ?? 0, builder: row.builder, startsAt: row.queueStartsAt ?? 0} : null;
    const now = useNow(running && (Boolean(row.startedAt) || Boolean(queue?.startsAt)));
    let duration = '';
    if (row.startedAt) {
        const end = running ? now : row.completeAt ?? row.startedAt;
        duration = formatDuration(end - row.startedAt);
    }
    const name = row.number ? `${row.builder} #${row.number}` : row.builder;
    const label = intl.formatMessage(messages[row.state]);
    const color = stateColor(row.state, theme);
    return (
        <li style={{listStyle: 'none', margin: '2px 0'}}>
            <div style={{display: 'flex', gap: 8, alignItems: 'baseline', flexWrap: 'wrap'}}>
                <StateIcon
                    state={row.state}
                    label={label}
                    theme={theme}
                />
                <a
                    href={row.url}
                    target='_blank'
                    rel='noopener noreferrer'
                    style={{color: theme.linkColor}}
                >
                    {name}
                </a>
                <span style={{color}}>{stateText(row, intl)}</span>
                {duration && (
                    <span
                        aria-label={intl.formatMessage(messages.duration)}
                        style={{color: fade(theme.centerChannelColor, 0.64), fontVariantNumeric: 'tabular-nums'}}
                    >
                        {duration}
                    </span>
                )}
                {row.failedStep && (
                    <span style={{color}}>
                        {intl.formatMessage(messages.failedStep, {
                            step: row.logUrl ? (
                                <a
                                    key='log'
                                    href={row.logUrl}
                                    target='_blank'
                                    rel='noopener noreferrer'
                                    style={{color: theme.linkColor}}
                                >
                                    {row.failedStep}
                                </a>
                            ) : row.failedStep,
                        })}
                    </span>
                )}
            </div>
            {queue && (
                <div style={{marginLeft: 18, color: fade(theme.centerChannelColor, 0.64)}}>
                    {queueLine(intl, queue, now * 1000)}
                </div>
            )}
            {row.state === 'building' && (
                <div style={{marginLeft: 18}}>
                    <StepProgress
                        row={row}
                        theme={theme}
                    />
                </div>
            )}
            {!running && row.brokenSince && (
                <div style={{marginLeft: 18}}>
                    <BrokenSince
                        row={row}
                        broken={row.brokenSince}
                        theme={theme}
                    />
                </div>
            )}
            {!running && row.tests && (
                <div style={{marginLeft: 18}}>
                    <TestsSummary
                        builder={row.builder}
                        tests={row.tests}
                        theme={theme}
                    />
                </div>
            )}
        </li>
    );
}
